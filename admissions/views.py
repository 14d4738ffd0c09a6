"""Screens of the admission pipeline (board, application and its steps) and of the follow-up of a measure
with the tiers and the partners (synthèses, coordination, housing, end and exit). Every object comes from
a scoped queryset (404 for an outsider); every write goes through admissions.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement import services as accompagnement_services
from accompagnement.models import Accompagnement, Objectif
from accompagnement.views_communs import accompagnement_modifiable, entier, reporter_erreurs
from accounts import acces

from . import eligibilite, forms, services
from .models import Candidature, Logement, Synthese
from .pdf import synthese_sortie_pdf
from .selectors import candidatures_ouvertes, residences_de

E = Candidature.Etape


def _candidature(request, pk):
    return get_object_or_404(
        Candidature.objects.visibles_par(request.user).select_related(
            "residence__territoire",
            "resident",
            "tiers",
            "contact_educatif",
            "contact_social",
            "referent",
            "accompagnement",
            "contrat_tripartite",
        ),
        pk=pk,
    )


@require_GET
def tableau(request):
    """One column per step; each application with its age in days and its days at the step."""
    # Staff of a structure that is not an FJT see an explanation (the menu is per role, not per structure).
    residences = residences_de(request.user)
    residence = entier(request.GET.get("residence"))
    qs = candidatures_ouvertes(request.user, residence)
    le = timezone.localdate()
    colonnes = {etape: [] for etape in E if etape != E.ENTREE}
    for c in qs:
        c.age = c.age_jours(le)
        c.a_l_etape = c.jours_a_l_etape(le)
        colonnes.setdefault(c.etape, []).append(c)
    recentes = (
        Candidature.objects.visibles_par(request.user)
        .filter(residence__in=residences)
        .exclude(statut__in=[Candidature.Statut.EN_COURS, Candidature.Statut.LISTE_ATTENTE])
        .select_related("resident", "residence")
        .order_by("-etape_depuis", "-pk")[:10]
    )
    colonnes = [(E(etape).label, etape, items) for etape, items in colonnes.items()]
    return render(
        request,
        "admissions/tableau.html",
        {"colonnes": colonnes, "residences": residences, "recentes": recentes, "residence": residence},
    )


@require_http_methods(["GET", "POST"])
def nouvelle(request):
    if not residences_de(request.user):
        raise PermissionDenied("Seule l'équipe d'une résidence FJT reçoit des candidatures.")
    form = forms.CandidatureForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            candidature, avertissements = services.creer_candidature(par=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            for avertissement in avertissements:
                messages.warning(request, avertissement)
            messages.success(request, "Candidature enregistrée.")
            return redirect("admissions:candidature", candidature.pk)
    return render(request, "admissions/nouvelle.html", {"form": form})


# Each step: its form, the service that does it, and how the form's data map to the service.
ETAPES = {
    "contact": (forms.ContactForm, services.enregistrer_contact),
    "note": (forms.NoteDetailleeForm, services.enregistrer_note_detaillee),
    "rencontre": (forms.PremiereRencontreForm, services.enregistrer_premiere_rencontre),
    "decision": (forms.DecisionForm, services.decider),
    "admission": (forms.AdmissionForm, services.preparer_admission),
    "entree": (forms.EntreeForm, services.prononcer_entree),
    "contrat_sejour": (forms.ContratSejourForm, services.enregistrer_contrat_sejour),
    "abandon": (forms.AbandonForm, services.abandonner),
}
# The steps whose form has free text about the young person (reminder that she can read it).
ETAPES_TEXTE_LIBRE = {"contact", "note", "rencontre", "decision"}
PROCHAINE = {
    E.CANDIDATURE: "contact",
    E.CONTACT: "note",
    E.NOTE_DETAILLEE: "rencontre",
    E.PREMIERE_RENCONTRE: "decision",
    E.DECISION: "admission",
    E.ENTRETIEN_ADMISSION: "entree",
    E.ENTREE: "contrat_sejour",
}


def _form(nom, candidature, data=None):
    classe = ETAPES[nom][0]
    kwargs = {"candidature": candidature} if classe is forms.ContactForm else {}
    initial = {"version": candidature.version}
    if nom == "contrat_sejour":
        initial.update(remis_le=candidature.contrat_sejour_remis_le, signe_le=candidature.contrat_sejour_signe_le)
    return classe(data, initial=initial, **kwargs)


def _prochaine(candidature):
    if not candidature.ouverte and candidature.etape != E.ENTREE:
        return None
    if candidature.statut == Candidature.Statut.LISTE_ATTENTE:
        return "decision"
    return PROCHAINE.get(candidature.etape)


def _contexte(request, candidature, formulaire=None, nom=None):
    le = timezone.localdate()
    prochaine = _prochaine(candidature)
    form = formulaire if nom == prochaine and formulaire else (_form(prochaine, candidature) if prochaine else None)
    abandon = formulaire if nom == "abandon" and formulaire else _form("abandon", candidature)
    verdict = eligibilite.verifier(
        resident=candidature.resident,
        residence=candidature.residence,
        le=le,
        conditions_mineur=candidature.conditions_mineur,
    )
    # A step posted out of order has no form on the page: its messages are shown on top.
    hors_page = formulaire is not None and nom not in (prochaine, "abandon")
    return {
        "candidature": candidature,
        "erreurs_etape": [m for ms in formulaire.errors.values() for m in ms] if hors_page else [],
        "etapes": [(etape, etape.label) for etape in E],
        "prochaine": prochaine,
        "texte_libre": prochaine in ETAPES_TEXTE_LIBRE,
        "form": form,
        "abandon": abandon if candidature.ouverte else None,
        "verdict": verdict,
        "garanties": candidature.garanties.all(),
        "age": candidature.age_jours(le),
        "peut_agir": acces.est_equipe(request.user, candidature.residence),
        "est_responsable": acces.est_responsable_de(request.user, candidature.residence),
        "historique": candidature.history.select_related("history_user").order_by("-history_date")[:20],
    }


@require_GET
def candidature(request, pk):
    c = _candidature(request, pk)
    return render(request, "admissions/candidature.html", _contexte(request, c))


def _arguments(nom, form):
    d = dict(form.cleaned_data)
    if nom == "rencontre":
        return {
            "version": d["version"],
            "date": d["date"],
            "pieces": d["pieces"],
            "garanties": form.garanties(),
            "conditions_mineur": d["conditions_mineur"] or None,
        }
    return d


@require_POST
def etape(request, pk, nom):
    if nom not in ETAPES:
        raise Http404
    c = _candidature(request, pk)
    form = _form(nom, c, request.POST)
    if form.is_valid():
        try:
            resultat = ETAPES[nom][1](candidature=c, par=request.user, **_arguments(nom, form))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            if isinstance(resultat, tuple):
                for avertissement in resultat[1]:
                    messages.warning(request, avertissement)
            messages.success(request, "Étape enregistrée.")
            return redirect("admissions:candidature", c.pk)
    c.refresh_from_db()
    return render(request, "admissions/candidature.html", _contexte(request, c, form, nom), status=422)


@require_GET
def note_pdf(request, pk):
    c = _candidature(request, pk)
    if not c.note_sociale_pdf:
        raise Http404
    return FileResponse(
        c.note_sociale_pdf.open("rb"), content_type="application/pdf", filename=f"note-sociale-{c.pk}.pdf"
    )


# --- follow-up of a measure ----------------------------------------------------------------------


def _mesure(request, pk):
    return get_object_or_404(
        Accompagnement.objects.visibles_par(request.user).select_related(
            "resident", "modalite", "referent", "structure__territoire"
        ),
        pk=pk,
    )


def _suivi_contexte(request, mesure, **formulaires):
    ecriture = acces.peut_modifier(request.user, mesure)
    syntheses = list(
        Synthese.objects.visibles_par(request.user).filter(accompagnement=mesure).select_related("contact")
    )
    for s in syntheses:
        if s.tenue_le is None:  # its own form: its version (the lock), its own ids
            s.tenue_form = forms.TenueSyntheseForm(initial={"version": s.version}, auto_id=f"id_%s_{s.pk}")
    contexte = {
        "mesure": mesure,
        "ecriture": ecriture and mesure.est_actif,
        "est_responsable": acces.est_responsable_de(request.user, mesure.structure),
        "candidature": Candidature.objects.filter(accompagnement=mesure).first(),
        "syntheses": syntheses,
        "reunions": mesure.reunions_coordination.prefetch_related("intervenants__contact__tiers", "intervenants__user"),
        "intervenants": mesure.coreferents.select_related("user", "contact__tiers"),
        "logements": mesure.logements.select_related("bailleur"),
        "fin": getattr(mesure, "fin_prise_en_charge", None),
        "relais": getattr(mesure, "passage_relais", None),
        "objectifs": mesure.objectifs.all(),
    }
    defauts = {
        "synthese_form": forms.SyntheseForm(accompagnement=mesure),
        "intervenant_form": forms.IntervenantForm(),
        "reunion_form": forms.ReunionForm(accompagnement=mesure),
        "logement_form": forms.LogementForm(),
        "fin_form": forms.FinForm(accompagnement=mesure),
        "sortie_form": forms.SortieForm(initial={"version": mesure.version}),
        "objectif_form": forms.ObjectifSortieForm(),
    }
    defauts.update(formulaires)
    contexte.update(defauts)
    return contexte


@require_GET
def suivi(request, pk):
    mesure = _mesure(request, pk)
    return render(request, "admissions/suivi.html", _suivi_contexte(request, mesure))


def _ecrire(request, pk, nom_form, form, action):
    """Run `action(mesure, form)` on a valid form; on error, the page again with the form's messages."""
    mesure = accompagnement_modifiable(request, pk)
    if form.is_valid():
        try:
            action(mesure, form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Enregistré.")
            return redirect("admissions:suivi", mesure.pk)
    return render(request, "admissions/suivi.html", _suivi_contexte(request, mesure, **{nom_form: form}), status=422)


@require_POST
def synthese_planifier(request, pk):
    mesure = _mesure(request, pk)
    form = forms.SyntheseForm(request.POST, accompagnement=mesure)
    return _ecrire(
        request,
        pk,
        "synthese_form",
        form,
        lambda m, d: services.planifier_synthese(accompagnement=m, par=request.user, **d),
    )


def _synthese(request, pk):
    synthese = get_object_or_404(
        Synthese.objects.visibles_par(request.user).select_related("accompagnement", "contact__tiers"), pk=pk
    )
    acces.exiger_droit(request.user, synthese.accompagnement)
    return synthese


@require_POST
def synthese_tenir(request, pk):
    synthese = _synthese(request, pk)
    form = forms.TenueSyntheseForm(request.POST)
    if form.is_valid():
        try:
            services.tenir_synthese(synthese=synthese, par=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, "Synthèse enregistrée.")
    else:
        messages.error(request, "Synthèse non enregistrée : indiquez la date et le bilan.")
    return redirect("admissions:suivi", synthese.accompagnement_id)


@require_POST
def synthese_transmettre(request, pk):
    synthese = _synthese(request, pk)
    form = forms.VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Formulaire incomplet : rechargez la page.")
        services.transmettre_synthese(synthese=synthese, par=request.user, version=form.cleaned_data["version"])
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Synthèse transmise au tiers.")
    return redirect("admissions:suivi", synthese.accompagnement_id)


@require_POST
def intervenant(request, pk):
    return _ecrire(
        request,
        pk,
        "intervenant_form",
        forms.IntervenantForm(request.POST),
        lambda m, d: accompagnement_services.ajouter_coreferent(accompagnement=m, par=request.user, **d),
    )


@require_POST
def reunion(request, pk):
    mesure = _mesure(request, pk)
    return _ecrire(
        request,
        pk,
        "reunion_form",
        forms.ReunionForm(request.POST, accompagnement=mesure),
        lambda m, d: services.enregistrer_reunion(accompagnement=m, par=request.user, **d),
    )


@require_POST
def logement(request, pk):
    return _ecrire(
        request,
        pk,
        "logement_form",
        forms.LogementForm(request.POST),
        lambda m, d: services.enregistrer_logement(accompagnement=m, par=request.user, **d),
    )


@require_POST
def glissement(request, pk):
    log = get_object_or_404(Logement.objects.visibles_par(request.user).select_related("accompagnement"), pk=pk)
    try:
        services.constater_glissement(logement=log, par=request.user, le=timezone.localdate())
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Glissement du bail enregistré.")
    return redirect("admissions:suivi", log.accompagnement_id)


@require_POST
def fin(request, pk):
    mesure = _mesure(request, pk)
    form = forms.FinForm(request.POST, accompagnement=mesure)
    if form.is_valid():
        try:
            services.decider_fin(accompagnement=mesure, par=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Fin de prise en charge enregistrée ; le tiers en est informé.")
            return redirect("admissions:suivi", mesure.pk)
    return render(request, "admissions/suivi.html", _suivi_contexte(request, mesure, fin_form=form), status=422)


@require_POST
def objectif_sortie(request, pk):
    return _ecrire(
        request,
        pk,
        "objectif_form",
        forms.ObjectifSortieForm(request.POST),
        lambda m, d: accompagnement_services.creer_objectif(
            accompagnement=m, par=request.user, domaine=Objectif.Domaine.LOGEMENT, actions="Projet de sortie", **d
        ),
    )


@require_POST
def sortie(request, pk):
    return _ecrire(
        request,
        pk,
        "sortie_form",
        forms.SortieForm(request.POST),
        lambda m, d: services.enregistrer_sortie(accompagnement=m, par=request.user, **d),
    )


@require_GET
def sortie_pdf(request, pk):
    mesure = _mesure(request, pk)
    if mesure.date_fin is None:
        raise Http404
    reponse = HttpResponse(synthese_sortie_pdf(mesure), content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="synthese-sortie-{mesure.pk}.pdf"'
    return reponse
