"""Screens: « À faire » (each user's échéances, grouped by référent for a manager), the délégué's view,
acknowledgement, sanction reports. Everything is fetched through scoped querysets (an outsider gets a 404)."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.models import Accompagnement
from accompagnement.views_communs import entier, reporter_erreurs
from accounts import acces
from accounts.models import User
from contrats.models import Contrat, RefusSignature
from referentiel.models import Structure
from residents.models import Resident

from . import moteur, selectors, services, views_sanctions
from .forms import FiltreSignalementsForm, SignalementForm
from .models import ETAPES_OUVERTES, Alerte, SignalementSanction
from .moteur import Etat, Regle, calculer


def _lignes(echeances, user):
    """Échéances to act on, with the person's name and the alert (to acknowledge) in bulk queries."""
    a_faire = [e for e in echeances if e.etat != Etat.A_JOUR]
    residents = Resident.objects.in_bulk({e.resident_id for e in a_faire if e.resident_id})
    alertes = {a.cle: a for a in Alerte.objects.visibles_par(user).filter(cle__in=[e.cle for e in a_faire])}
    lignes = []
    for e in a_faire:
        alerte = alertes.get(e.cle)
        # The user's structures are read once (acces.structures_de), and only if an alert is not theirs.
        peut = alerte is not None and acces.peut_acquitter(user, alerte)
        lignes.append({"e": e, "resident": residents.get(e.resident_id), "alerte": alerte, "peut_acquitter": peut})
    return lignes


@require_GET
def a_faire(request):
    user = request.user
    le = timezone.localdate()
    if acces.est_agent_du_territoire(user):
        return delegue(request)
    mesures = selectors.mesures_a_faire(user, le)
    if user.is_administrateur:
        # The whole base is the morning job's work: an administrator picks one structure at a time.
        structure = entier(request.GET.get("structure"))
        if structure is None:
            return _choix_structure(request)
        personnes = selectors.personnes_a_faire(user).filter(structure_id=structure)
        return _structure(request, mesures.filter(structure_id=structure), le, personnes)
    if acces.voit_la_file_de_l_equipe(user):
        return _structure(request, mesures, le)
    echeances = selectors.echeances_a_faire(user, le=le, mesures=mesures)
    return render(request, "echeances/a_faire.html", {"lignes": _lignes(echeances, user), "le": le})


def _choix_structure(request):
    # The rows each structure's list will show, as the morning run left them (the badge's statuses).
    listees = dict(
        selectors.alertes_listees().values_list("structure").annotate(n=Count("pk")).values_list("structure", "n")
    )
    structures = [(s, listees.get(s.pk, 0)) for s in Structure.objects.order_by("nom")]
    return render(request, "echeances/choix_structure.html", {"structures": structures})


def _structure(request, mesures, le, personnes=None):
    """Grouped by référent: what is due, and the weighted caseload (Σ measures / norm of their modality)
    against the ETP for every référent of the structure, those with nothing due included."""
    user = request.user
    echeances = selectors.echeances_a_faire(user, le=le, mesures=mesures, personnes=personnes)
    par_referent = defaultdict(list)
    for ligne in _lignes(echeances, user):
        par_referent[ligne["e"].referent_id].append(ligne)
    charges = moteur.charges(mesures, le=le)
    ids = set(par_referent) | set(charges)
    referents = User.objects.in_bulk(list(ids))
    groupes = [
        {"referent": referents.get(rid), "lignes": par_referent.get(rid, []), "charges": charges.get(rid, [])}
        for rid in sorted(ids, key=lambda rid: str(referents.get(rid, "")))
    ]
    return render(request, "echeances/structure.html", {"groupes": groupes, "le": le})


@require_GET
def delegue(request):
    user = request.user
    if not (acces.est_agent_du_territoire(user) or user.is_administrateur):
        raise Http404
    le = timezone.localdate()
    mesures = selectors.mesures_a_faire(user, le)
    echeances = selectors.echeances_a_faire(
        user, le=le, mesures=mesures, regles=selectors.REGLES_DU_TERRITOIRE, personnes=selectors.personnes_a_faire(user)
    )
    contexte = {
        "le": le,
        "validations": _lignes([e for e in echeances if e.regle == Regle.VALIDATION_EN_ATTENTE], user),
        "sans_contrat": _lignes([e for e in echeances if e.regle == Regle.CONTRAT_MANQUANT], user),
        "reorientations": _lignes([e for e in echeances if e.regle == Regle.REORIENTATION_DEMANDEE], user),
        "signalements": SignalementSanction.objects.visibles_par(user)
        .select_related("accompagnement__resident", "auteur")
        .filter(etape__in=ETAPES_OUVERTES)[:100],
        "sanctions": _lignes(
            [e for e in echeances if e.regle in (Regle.SANCTION_OBSERVATIONS, Regle.SANCTION_DECISION)], user
        ),
        "a_valider": Contrat.objects.a_valider_par(user).count(),
        "valide_les_contrats": acces.valide_les_contrats(user),
    }
    return render(request, "echeances/delegue.html", contexte)


@require_POST
def acquitter(request, pk):
    alerte = get_object_or_404(Alerte.objects.visibles_par(request.user), pk=pk)
    try:
        alerte = services.acquitter(
            alerte=alerte,
            par=request.user,
            commentaire=request.POST.get("commentaire", ""),
            version=request.POST.get("version"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Alerte prise en compte : elle ne sera plus signalée pour cette cause.")
    if request.htmx:
        contexte = {"alerte": alerte, "peut_acquitter": acces.peut_acquitter(request.user, alerte)}
        return render(request, "echeances/includes/alerte.html", contexte)
    return redirect("echeances:a_faire")


@require_http_methods(["GET", "POST"])
def signalement_nouveau(request, accompagnement):
    """A report to the délégué: after successive unexcused absences (the default), after the person's
    refusal to sign a contract (`?refus=<id>`, from the contract's page), or for the non-respect of the
    engagements (`?origine=NON_RESPECT`)."""
    mesure = get_object_or_404(Accompagnement.objects.visibles_par(request.user), pk=accompagnement)
    if not acces.signale_au_delegue(request.user, mesure):
        raise PermissionDenied("Seule l'équipe de la structure adresse un signalement.")
    Origine = SignalementSanction.Origine
    parametres = request.POST if request.method == "POST" else request.GET
    refus = None
    if refus_id := entier(parametres.get("refus")):
        refus = get_object_or_404(RefusSignature.objects.filter(contrat__accompagnement=mesure), pk=refus_id)
        origine = Origine.REFUS_CONTRAT
    else:
        origine = Origine.NON_RESPECT if parametres.get("origine") == Origine.NON_RESPECT else Origine.ABSENCES
    echeance = None
    if origine == Origine.ABSENCES:
        le = timezone.localdate()
        echeance = next(
            iter(calculer(Accompagnement.objects.filter(pk=mesure.pk), le=le, regles={Regle.ABSENCES})), None
        )
    form = SignalementForm(request.POST or None)
    if request.method == "POST":
        try:
            signalement = services.creer_signalement(
                accompagnement=mesure,
                par=request.user,
                motif=form.data.get("motif", ""),
                origine=origine,
                refus=refus,
                jeton=form.data.get("jeton") or None,
            )
        except ValidationError as exc:
            reporter_erreurs(form, exc)
        else:
            messages.success(request, "Signalement adressé au délégué insertion.")
            return redirect("echeances:signalement", pk=signalement.pk)
    absences = mesure.entretiens.filter(pk__in=echeance.entretien_ids) if echeance else []
    contexte = {
        "mesure": mesure,
        "origine": Origine(origine),
        "refus": refus,
        "echeance": echeance,
        "absences": absences,
        "form": form,
    }
    return render(request, "echeances/signalement_form.html", contexte, status=400 if form.errors else 200)


@require_GET
def signalements(request):
    """Every report the user sees, with its current step; filtered by step or by measure."""
    qs = SignalementSanction.objects.visibles_par(request.user).select_related(
        "accompagnement__resident", "accompagnement__modalite", "auteur"
    )
    filtre = FiltreSignalementsForm(request.GET or None)
    etape = filtre.cleaned_data.get("etape") if filtre.is_valid() else ""
    if etape == "OUVERTS":
        qs = qs.filter(etape__in=ETAPES_OUVERTES)
    elif etape:
        qs = qs.filter(etape=etape)
    if mesure := entier(request.GET.get("mesure")):
        qs = qs.filter(accompagnement_id=mesure)
    contexte = {"signalements": list(qs[:200]), "filtre": filtre, "decide": acces.decide_les_signalements(request.user)}
    return render(request, "echeances/signalements.html", contexte)


@require_POST
def signalement_decider(request, pk):
    """Kept for the links already sent: the decision is a step of the report's page."""
    return views_sanctions.signalement_etape(request, pk=pk, action="decider")
