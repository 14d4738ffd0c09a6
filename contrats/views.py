"""Contract screens. Every contract is fetched through `Contrat.objects.visibles_par(user)` (an
outsider gets a 404); every write goes through contrats.services (refusals come back as messages)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.models import Accompagnement
from accounts import acces
from journal.services import adresse_client, tracer_partage

from . import evaluation as evaluation_de_fin
from . import liste, services
from . import pdf as pdf_module
from .forms import (
    METHODES_PERSONNE,
    AvenantForm,
    BrouillonForm,
    DecisionForm,
    EvaluationFinDeContratForm,
    MotifForm,
    NouveauContratForm,
    NouvelObjectifForm,
    RefusSignatureForm,
    RuptureForm,
    SignaturePersonneForm,
    SignatureProfessionnelForm,
)
from .models import PARTIES_EXTERNES, Contrat, Partie, Signature, VersionContrat
from .selectors import cer_a_remplacer as cer_a_remplacer_de
from .selectors import contrats_filtres

E = Contrat.Etat
PAR_PAGE = 25


def _contrat(request, pk):
    qs = Contrat.objects.visibles_par(request.user).select_related(
        "accompagnement__resident", "accompagnement__referent", "accompagnement__structure__territoire", "partenaire"
    )
    return get_object_or_404(qs, pk=pk)


def _message_erreur(exc):
    return " ".join(exc.messages)


def _executer(request, action, **kwargs):
    """Run a service; a refusal the user can fix becomes a French message. Returns the result or None."""
    try:
        return action(**kwargs)
    except ValidationError as exc:
        messages.error(request, _message_erreur(exc))
        return None


def _evidence(request):
    """The signing device's address (behind REVERSE_PROXY_COUNT proxies, as the access log reads it) and
    browser."""
    return {
        "adresse_ip": adresse_client(request),
        "navigateur": request.META.get("HTTP_USER_AGENT", ""),
    }


# --- lists ---------------------------------------------------------------------------------------


@require_GET
def mes_contrats(request):
    """The référent's contracts (a manager's: the structure's), « à traiter » first, filtered by a GET
    form (bookmarkable), paged; and the unread notifications."""
    user = request.user
    form, filtres, qs = contrats_filtres(user, request.GET)
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    page.object_list = liste.decorer(list(page.object_list))
    notifications = list(user.notifications_contrats.non_lues().select_related("contrat")[:20])
    if notifications:
        user.notifications_contrats.non_lues().filter(pk__in=[n.pk for n in notifications]).update(
            lue_le=timezone.now()
        )
    contexte = {
        "page_obj": page,
        "form": form,
        "filtre": bool(filtres),
        "a_traiter": liste.annoter(liste.contrats_de(user), user).exclude(a_traiter="").count(),
        "equipe": liste.voit_la_structure(user),
        "notifications": notifications,
    }
    return render(request, "contrats/mes_contrats.html", contexte)


@require_GET
def file_responsable(request):
    """COMs and tripartite documents waiting for the manager's signature, oldest first."""
    if not acces.signe_pour_la_structure(request.user):
        raise PermissionDenied("Cette file est celle des responsables de structure.")
    qs = (
        Contrat.objects.visibles_par(request.user)
        .a_signer_par_responsable(request.user)
        .select_related("accompagnement__resident", "accompagnement__referent")
        .order_by("cree_le", "pk")
    )
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "contrats/file_responsable.html", {"page_obj": page})


@require_GET
def partenaire_a_signer(request):
    """The tiers partenaire's « Documents à signer »: the tripartite documents of the people it accompanies
    (co-referent, consent in force) still waiting for its signature, oldest first. Anyone else: 404, as
    the partner's other pages."""
    if not acces.signe_comme_partenaire(request.user):
        raise Http404
    qs = (
        Contrat.objects.visibles_par(request.user)
        .a_signer_par_partenaire(request.user)
        .select_related("accompagnement__resident", "accompagnement__structure")
        .order_by("cree_le", "pk")
    )
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "contrats/partenaire_a_signer.html", {"page_obj": page})


@require_GET
def file_delegue(request):
    """CERs and contrats d'engagement of the délégué's territories waiting for a decision, oldest first."""
    if not acces.valide_les_contrats(request.user):
        raise PermissionDenied("Cette file est celle des délégués insertion.")
    qs = (
        Contrat.objects.visibles_par(request.user)
        .a_valider_par(request.user)
        .select_related("accompagnement__resident", "accompagnement__referent", "accompagnement__structure")
        .order_by("date_soumission_validation", "pk")
    )
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    for contrat in page:  # the page's list, read once: each row its form, its version, its own ids
        contrat.decision_form = MotifForm(
            initial={"version": contrat.version},
            auto_id=f"id_%s_{contrat.pk}",
            etiquette="motif (obligatoire pour différer ou refuser)",
            en_ligne=True,
        )
    template = "contrats/includes/file_delegue.html" if request.htmx else "contrats/file_delegue.html"
    return render(request, template, {"page_obj": page})


@require_GET
def cer_a_remplacer(request):
    """« CER à remplacer avant le 1er janvier 2027 »: per structure (?structure=), the CERs its measures
    still hold, to replace by contrats d'engagement by the référentiel's CER_REMPLACEMENT_AVANT. For the
    structure's team and the délégués of its territory; anyone else, or another structure: 404."""
    structures, structure, date_limite, lignes = cer_a_remplacer_de(request.user, request.GET, timezone.localdate())
    if structure is None:
        raise Http404
    contexte = {
        "structures": structures,
        "structure": structure,
        "date_limite": date_limite,
        "lignes": lignes,
        "le": timezone.localdate(),
    }
    return render(request, "contrats/cer_a_remplacer.html", contexte)


# --- drafting ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def nouveau(request, accompagnement_pk):
    acc = get_object_or_404(
        Accompagnement.objects.visibles_par(request.user).select_related("structure__territoire", "modalite"),
        pk=accompagnement_pk,
    )
    if not acces.peut_rediger(request.user, acc):
        raise PermissionDenied("Seuls le référent de la mesure et le responsable rédigent ses contrats.")
    types = services.types_possibles(acc)
    if set(types) & set(services.TYPES_APRES_DIAGNOSTIC) and services.diagnostic_manquant(acc):
        # A prerequisite, not a warning: the first contract's objectives come out of the diagnostic.
        return render(request, "contrats/nouveau.html", {"accompagnement": acc, "diagnostic_d_abord": True})
    form = NouveauContratForm(request.POST or None, types=types)
    if request.method == "POST" and form.is_valid():
        objectifs = list(acc.objectifs.filter(etat__in=services.OBJECTIFS_NON_ATTEINTS))
        contrat = None
        try:
            contrat = services.creer_brouillon(
                accompagnement=acc, par=request.user, objectifs=objectifs, **form.cleaned_data
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # about a field (a too long contract): said next to it
                form.add_error(None, exc)
            else:
                messages.error(request, _message_erreur(exc))
        if contrat:
            messages.success(request, "Brouillon créé : complétez-le puis soumettez-le à la signature.")
            return redirect("contrats:modifier", pk=contrat.pk)
    return render(request, "contrats/nouveau.html", {"form": form, "accompagnement": acc, "types": types})


@require_GET
def detail(request, pk):
    contrat = _contrat(request, pk)
    # Every version of the contract and of its avenants, each readable with its PDF, hash and signatures.
    versions = (
        VersionContrat.objects.filter(contrat__in=Contrat.objects.de_la_famille(contrat))
        .select_related("contrat")
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("recueillie_par")))
        .order_by("numero", "figee_le")
    )
    courante = next((v for v in versions if v.contrat_id == contrat.pk and v.numero == contrat.numero_version), None)
    signees = {s.partie for s in courante.signatures.all()} if courante else set()
    user = request.user
    # Once frozen, the parties (and their names) are those of the version being signed.
    if courante:
        a_signer = [(p["code"], p["nom"]) for p in courante.contenu["parties"]]
    else:
        a_signer = [(p, pdf_module.nom_partie(contrat, p)) for p in contrat.parties()]
    parties = [
        {
            "code": p,
            "libelle": Partie(p).label,
            "nom": nom,
            "signee": p in signees,
            "peut_signer": contrat.etat == E.EN_SIGNATURE and p not in signees and acces.peut_signer(user, contrat, p),
        }
        for p, nom in a_signer
    ]
    peut_rediger = acces.peut_rediger(user, contrat)
    en_vigueur = contrat.etat in Contrat.ETATS_EN_VIGUEUR
    # A version replaced by a signed avenant is only read: the one in force is acted upon.
    remplace_par = contrat.remplace_par() if en_vigueur else None
    # Amending or breaking acts on a contract in force today (services.preparer_avenant, services.rompre).
    modifiable = en_vigueur and not remplace_par and not contrat.termine()
    avenant_en_preparation = contrat.avenant_en_preparation()
    contexte = {
        "contrat": contrat,
        "versions": versions,
        "courante": courante,
        "parties": parties,
        "lignes": contrat.lignes_objectifs.select_related("objectif"),
        "transitions": contrat.transitions.select_related("par"),
        "peut_rediger": peut_rediger,
        # An avenant may be abandoned until it is in force (services.annuler).
        "peut_annuler": peut_rediger
        and contrat.etat in (Contrat.ETATS_EN_PREPARATION if contrat.avenant_de_id else (E.BROUILLON, E.EN_SIGNATURE)),
        "peut_rouvrir": peut_rediger and contrat.etat in (E.EN_SIGNATURE, E.EN_VALIDATION, E.DIFFERE),
        "peut_preparer_avenant": peut_rediger and modifiable and not avenant_en_preparation,
        "peut_renouveler": peut_rediger and en_vigueur and not remplace_par and contrat.successeur() is None,
        "en_vigueur": en_vigueur,
        "version_en_vigueur": contrat.en_vigueur_dans_la_famille(),
        "avenant_en_preparation": avenant_en_preparation,
        "remplace_par": remplace_par,
        "peut_valider": acces.peut_valider(user, contrat) and contrat.etat in (E.EN_VALIDATION, E.DIFFERE),
        "peut_rompre": acces.peut_rompre(user, contrat) and modifiable,
        "renouvellement_le": services.renouvellement_possible_le(contrat),
        "aujourdhui": timezone.localdate(),
        # Several forms on the page: each its own ids.
        "decision_form": DecisionForm(initial={"version": contrat.version}, auto_id="decision_%s"),
        "rupture_form": RuptureForm(
            initial={"version": contrat.version, "le": timezone.localdate()}, auto_id="rupture_%s"
        ),
        "annulation_form": MotifForm(
            initial={"version": contrat.version}, auto_id="annulation_%s", etiquette="motif de l'abandon", en_ligne=True
        ),
        "rouvrir_form": MotifForm(
            initial={"version": contrat.version},
            auto_id="rouvrir_%s",
            etiquette="motif de la modification",
            en_ligne=True,
        ),
        "reponse_form": MotifForm(
            initial={"version": contrat.version}, auto_id="reponse_%s", etiquette="votre réponse au délégué insertion"
        ),
        "preparer_avenant_form": AvenantForm(initial={"version": contrat.version}, auto_id="avenant_%s"),
        # The person's refusal to sign (a first contract or a renewal, not an avenant): a ground for sanction.
        "peut_noter_refus": peut_rediger
        and contrat.type in Contrat.TYPES_A_VALIDER
        and contrat.etat in (E.BROUILLON, E.EN_SIGNATURE)
        and not contrat.avenant_de_id,
        "refus_form": RefusSignatureForm(
            initial={"version": contrat.version, "le": timezone.localdate()},
            auto_id="refus_%s",
            etiquette="raison donnée par la personne",
        ),
        "refus": contrat.refus_de_signer.select_related("constate_par", "signalement"),
        "signale_au_delegue": acces.signale_au_delegue(user, contrat.accompagnement),
    }
    return render(request, "contrats/detail.html", contexte)


@require_POST
def refus(request, pk):
    """The person refuses to sign: recorded on the contract, then offered to report to the délégué."""
    contrat = _contrat(request, pk)
    form = RefusSignatureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez qui refuse de signer et la date du refus.")
        return redirect("contrats:detail", pk=contrat.pk)
    d = form.cleaned_data
    enregistre = _executer(
        request,
        services.refuser_de_signer,
        contrat=contrat,
        par=request.user,
        partie=d["partie"],
        le=d["le"],
        motif=d.get("motif", ""),
        version=d.get("version"),
        jeton=d.get("jeton"),
    )
    if enregistre:
        messages.success(request, "Refus de signer enregistré : vous pouvez le signaler au délégué insertion.")
    return redirect(reverse("contrats:detail", args=[contrat.pk]) + "#refus")


@require_http_methods(["GET", "POST"])
def modifier(request, pk):
    contrat = _contrat(request, pk)
    if not acces.peut_rediger(request.user, contrat):
        raise PermissionDenied("Seuls le référent de la mesure et le responsable modifient ce contrat.")
    if contrat.etat != E.BROUILLON:
        messages.error(request, "Seul un brouillon se modifie ; pour un contrat soumis ou signé, faites un avenant.")
        return redirect(contrat)
    form = BrouillonForm(request.POST or None, instance=contrat)
    if request.method == "POST" and form.is_valid():
        champs = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.fields}
        resultat = _executer(
            request,
            services.modifier_brouillon,
            contrat=contrat,
            par=request.user,
            version=form.cleaned_data["version"],
            objectifs=list(form.cleaned_data["objectifs"]),
            **champs,
        )
        if resultat:
            messages.success(request, "Brouillon enregistré.")
            return redirect("contrats:detail", pk=contrat.pk)
        contrat.refresh_from_db()
    return render(
        request,
        "contrats/modifier.html",
        {"contrat": contrat, "form": form, "objectif_form": NouvelObjectifForm(prefix="objectif", contrat=contrat)},
    )


@require_POST
def ajouter_objectif(request, pk):
    contrat = _contrat(request, pk)
    form = NouvelObjectifForm(request.POST, prefix="objectif", contrat=contrat)
    if form.is_valid():
        if _executer(request, services.ajouter_objectif, contrat=contrat, par=request.user, **form.cleaned_data):
            messages.success(request, "Objectif ajouté au contrat et au dossier.")
    elif "echeance" in form.errors:
        messages.error(request, "L'objectif n'a pas été ajouté. " + " ".join(form.errors["echeance"]))
    else:
        messages.error(request, "L'objectif n'a pas été ajouté : indiquez au moins son domaine et son libellé.")
    return redirect("contrats:modifier", pk=contrat.pk)


# --- lifecycle -----------------------------------------------------------------------------------


def _action_simple(request, pk, service, succes, **extra):
    contrat = _contrat(request, pk)
    form = MotifForm(request.POST)
    form.is_valid()
    donnees = form.cleaned_data
    if _executer(
        request,
        service,
        contrat=contrat,
        par=request.user,
        version=donnees.get("version"),
        **{k: donnees.get("motif", "") for k in extra.get("motif_sous", ["motif"])},
    ):
        messages.success(request, succes)
    return redirect("contrats:detail", pk=contrat.pk)


@require_POST
def soumettre(request, pk):
    contrat = _contrat(request, pk)
    version = request.POST.get("version")
    if _executer(request, services.soumettre, contrat=contrat, par=request.user, version=version):
        messages.success(request, "Le contrat est figé et soumis à la signature de chaque partie.")
    return redirect("contrats:detail", pk=contrat.pk)


@require_POST
def rouvrir(request, pk):
    return _action_simple(request, pk, services.rouvrir, "Le contrat est de nouveau en brouillon.")


@require_POST
def avenant(request, pk):
    """« Préparer un avenant » of a contract in force: a new draft beside it, the signed version staying
    in force until the avenant is signed (and validated)."""
    contrat = _contrat(request, pk)
    if not acces.peut_rediger(request.user, contrat):
        raise PermissionDenied("Seuls le référent de la mesure et le responsable préparent un avenant.")
    form = AvenantForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date d'effet et le motif de l'avenant.")
        return redirect(contrat)
    d = form.cleaned_data
    nouveau = _executer(
        request,
        services.preparer_avenant,
        contrat=contrat,
        par=request.user,
        date_effet=d["date_effet"],
        motif=d["motif"],
        version=d["version"],
        jeton=d["jeton"],
    )
    if nouveau is None:
        return redirect(contrat)
    messages.success(
        request,
        f"Avenant préparé (version {nouveau.numero_version}) : complétez-le puis soumettez-le à la signature. "
        "La version signée reste en vigueur jusque-là.",
    )
    return redirect("contrats:modifier", pk=nouveau.pk)


@require_POST
def annuler(request, pk):
    return _action_simple(request, pk, services.annuler, "Contrat abandonné.")


@require_POST
def repondre(request, pk):
    return _action_simple(
        request, pk, services.repondre, "Réponse envoyée au délégué insertion.", motif_sous=["message"]
    )


@require_POST
def rompre(request, pk):
    contrat = _contrat(request, pk)
    form = RuptureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date d'effet de la rupture.")
        return redirect("contrats:detail", pk=contrat.pk)
    d = form.cleaned_data
    if _executer(
        request,
        services.rompre,
        contrat=contrat,
        par=request.user,
        motif=d["motif"],
        le=d["le"],
        version=d.get("version"),
    ):
        messages.success(request, "Rupture du contrat enregistrée.")
    return redirect("contrats:detail", pk=contrat.pk)


@require_http_methods(["GET", "POST"])
def renouveler(request, pk):
    """« Préparer le renouvellement »: from the évaluation partagée of the ending contract (asked for here
    when its kind requires one and it is not done yet, shown when it is), the new draft."""
    contrat = _contrat(request, pk)
    if not acces.peut_rediger(request.user, contrat):
        raise PermissionDenied("Seuls le référent de la mesure et le responsable préparent le renouvellement.")
    if refus := services.refus_du_renouvellement(contrat):
        messages.error(request, refus)
        return redirect(contrat)
    evaluation = evaluation_de_fin.de(contrat)
    a_evaluer = evaluation is None and evaluation_de_fin.requise(contrat)
    form = EvaluationFinDeContratForm(request.POST or None, contrat=contrat) if a_evaluer else None
    if request.method == "POST" and (form is None or form.is_valid()):
        nouveau_contrat = _executer(
            request,
            services.preparer_renouvellement,
            contrat=contrat,
            par=request.user,
            evaluation=form.donnees() if form else None,
        )
        if nouveau_contrat:
            messages.success(request, "Renouvellement préparé : il commence le jour où finit ce contrat.")
            return redirect("contrats:modifier", pk=nouveau_contrat.pk)
        if form is None:
            return redirect(contrat)
    return render(request, "contrats/renouveler.html", {"contrat": contrat, "form": form, "evaluation": evaluation})


@require_POST
def decider(request, pk):
    contrat = _contrat(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une décision : valider, différer ou refuser.")
        return redirect("contrats:detail", pk=contrat.pk)
    d = form.cleaned_data
    service = {"valider": services.valider, "differer": services.differer, "refuser": services.refuser}[d["decision"]]
    if _executer(request, service, contrat=contrat, par=request.user, motif=d["motif"], version=d.get("version")):
        messages.success(request, f"Décision enregistrée : {dict(form.fields['decision'].choices)[d['decision']]}.")
        if request.POST.get("suite") == "file":
            return redirect("contrats:file_delegue")
    return redirect("contrats:detail", pk=contrat.pk)


# --- signature -----------------------------------------------------------------------------------


def _suivant_responsable(request, contrat):
    """The next document waiting for this manager, so they sign one after another."""
    return (
        Contrat.objects.visibles_par(request.user)
        .a_signer_par_responsable(request.user)
        .exclude(pk=contrat.pk)
        .order_by("cree_le", "pk")
        .first()
    )


def _retour(request, contrat):
    """Where a signer goes back to: the contract, or the partner's own list (its only contract page)."""
    if acces.signe_comme_partenaire(request.user):
        return reverse("contrats:partenaire_a_signer")
    return contrat.get_absolute_url()


def _formulaire_signature(request, version, en_session):
    """The form of whoever signs in their session, or, for the person (conjoint, partner) whose
    signature the team collects, that of the method chosen first (`methode`, a GET parameter then a
    hidden field): None until it is chosen."""
    initial = {"numero_version": version.numero}
    if en_session:
        return SignatureProfessionnelForm(request.POST or None, initial=initial), None
    methode = (request.POST if request.method == "POST" else request.GET).get("methode")
    if methode not in METHODES_PERSONNE:
        if request.method == "POST":
            messages.error(request, "Choisissez comment la personne signe : à l'écran ou sur papier.")
        return None, None
    form = SignaturePersonneForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        methode=methode,
        phrase=services.PHRASE_CONSENTEMENT,
    )
    return form, methode


@require_http_methods(["GET", "POST"])
def signer(request, pk, partie):
    contrat = _contrat(request, pk)
    version = contrat.version_courante()
    if partie not in (version.parties() if version else contrat.parties()):
        raise PermissionDenied("Cette partie ne signe pas ce contrat.")
    if not acces.peut_signer(request.user, contrat, partie):
        raise PermissionDenied("Vous ne pouvez pas signer pour cette partie.")
    if contrat.etat != E.EN_SIGNATURE:
        messages.error(request, "Ce contrat n'est pas ouvert à la signature.")
        return redirect(_retour(request, contrat))
    partenaire = acces.signe_comme_partenaire(request.user)
    # The professionals and the tiers partenaire sign in their own session; the team collects the others.
    en_session = partie not in PARTIES_EXTERNES or partenaire
    form, methode = _formulaire_signature(request, version, en_session)
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        kwargs = {
            "contrat": contrat,
            "partie": partie,
            "par": request.user,
            "numero_version": d["numero_version"],
            **_evidence(request),
        }
        if en_session:
            kwargs.update(methode=Signature.Methode.SESSION, mot_de_passe=d["mot_de_passe"], requete=request)
        else:
            kwargs.update(
                methode=methode,
                nom_signataire=d.get("nom_signataire", ""),
                consentement=d.get("consentement", False),
                scan=d.get("scan"),
                scan_verifie=d.get("scan_verifie", False),
            )
        if _executer(request, services.signer, **kwargs):
            if partenaire:
                messages.success(request, f"Votre signature du document {contrat.reference} est enregistrée.")
                return redirect("contrats:partenaire_a_signer")
            messages.success(request, f"Signature de {Partie(partie).label} enregistrée.")
            if partie == Partie.RESPONSABLE:
                suivant = _suivant_responsable(request, contrat)
                if suivant:
                    return redirect("contrats:signer", pk=suivant.pk, partie=Partie.RESPONSABLE)
                return redirect("contrats:file_responsable")
            return redirect("contrats:detail", pk=contrat.pk)
    if partenaire and request.method == "GET":
        # What the partner reads here is shared with its organisation: named and dated (domain.md §9).
        tracer_partage(
            request=request,
            resident=contrat.accompagnement.resident,
            tiers=request.user.contact_partenaire.tiers,
            quoi=f"document tripartite {contrat.reference} à signer",
            objet=contrat,
        )
    reste = None
    if partie == Partie.RESPONSABLE:
        reste = Contrat.objects.visibles_par(request.user).a_signer_par_responsable(request.user).count()
    return render(
        request,
        "contrats/signer.html",
        {
            "contrat": contrat,
            "version": version,
            "c": version.contenu,
            "partie": Partie(partie),
            "form": form,
            "en_session": en_session,
            "methode": methode,
            "methodes": METHODES_PERSONNE,
            "libelle_methode": METHODES_PERSONNE.get(methode, ""),
            "partenaire": partenaire,
            "retour": _retour(request, contrat),
            "reste": reste,
        },
    )


# --- documents -----------------------------------------------------------------------------------


def _reponse_pdf(donnees, nom):
    reponse = HttpResponse(donnees, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@require_GET
def pdf_version(request, pk, numero):
    """A version's signed copy (frozen content, signatures, decision, evidence), or with `?original=1` the
    frozen document whose SHA-256 the parties signed. Both are stored files, served as they are: rendering
    happens once, at the step that changes them (services.ranger_exemplaire), never per request."""
    # One query: the version, of a contract the user sees, and whether anyone signed it (which file
    # to serve). The contract's parties are not read: a download only needs its reference.
    version = get_object_or_404(
        VersionContrat.objects.filter(contrat__in=Contrat.objects.visibles_par(request.user))
        .select_related("contrat")
        .annotate(signee=Exists(Signature.objects.filter(version=OuterRef("pk")))),
        contrat_id=pk,
        numero=numero,
    )
    contrat = version.contrat
    if request.GET.get("original"):
        if not version.pdf:  # the demo's oldest versions keep no rendered file (demo/donnees.py)
            raise Http404("Le document figé de cette version n'est pas conservé.")
        fichier, nom = version.pdf, f"{contrat.reference}-v{numero}-original.pdf"
    else:
        fichier, nom = services.exemplaire(version, signee=version.signee), f"{contrat.reference}-v{numero}.pdf"
    with fichier.open("rb") as flux:
        return _reponse_pdf(flux.read(), nom)


@require_GET
def apercu(request, pk):
    contrat = _contrat(request, pk)
    return _reponse_pdf(pdf_module.apercu_brouillon(contrat), f"{contrat.reference}-projet.pdf")
