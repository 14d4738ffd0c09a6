"""The RSA orientation's screens: the délégué's « à orienter » list and decision, the structure's « à
affecter » list and assignment, the référent's request for a réorientation and the délégué's answer, the
letter to the person (PDF)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import acces
from config.pdf import pdf_de
from echeances import moteur
from residents.models import Resident

from . import orientations
from .forms_orientations import (
    AcceptationForm,
    AffectationForm,
    DecisionOrientationForm,
    DemandeReorientationForm,
    RefusForm,
)
from .models import DecisionOrientation, DemandeReorientation
from .verrou import ConflitDeVersion
from .views_communs import accompagnement_modifiable, conflit, donnees, reporter_erreurs


def _exiger_delegue(user):
    if not acces.oriente_les_allocataires(user):
        raise PermissionDenied("Réservé aux délégués insertion.")


@require_GET
def a_orienter(request):
    """The délégué's RSA beneficiaries without an orientation, the most urgent first, and those oriented
    whose référent is still to be designated."""
    _exiger_delegue(request.user)
    personnes = (
        Resident.objects.visibles_par(request.user)
        .filter(date_ouverture_rsa__isnull=False, orientation__isnull=True)
        .select_related("structure")
    )
    le = timezone.localdate()
    dues = {
        e.resident_id: e
        for e in moteur.calculer([], le=le, personnes=personnes, regles={moteur.Regle.CONTRAT_MANQUANT})
        if e.cle.startswith("CONTRAT_MANQUANT:orientation:")
    }
    lignes = sorted(
        ({"personne": p, "echeance": dues.get(p.pk)} for p in personnes),
        key=lambda ligne: (ligne["personne"].date_ouverture_rsa, ligne["personne"].nom),
    )
    a_affecter = (
        DecisionOrientation.objects.visibles_par(request.user)
        .a_affecter()
        .filter(structure__territoire__in=request.user.territoires.all())
        .select_related("resident", "modalite", "structure")
        .order_by("date_decision")
    )
    return render(
        request,
        "accompagnement/orientations/a_orienter.html",
        {"lignes": lignes, "a_affecter": a_affecter, "demandes": _demandes(request.user).en_attente().count()},
    )


@require_http_methods(["GET", "POST"])
def orienter(request, pk):
    resident = get_object_or_404(Resident.objects.visibles_par(request.user).select_related("structure"), pk=pk)
    if not acces.peut_orienter(request.user, resident.structure.territoire_id):
        raise PermissionDenied(orientations.ORIENTATION_REFUSEE)
    form = DecisionOrientationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            decision = orientations.decider_orientation(
                resident=resident,
                par=request.user,
                **donnees(form, "modalite", "structure", "date_decision", "motif", "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Orientation enregistrée. La lettre à la personne est prête.")
            return redirect("accompagnement:orientation", decision.pk)
    return render(
        request,
        "accompagnement/formulaire.html",
        {"titre": f"Orienter {resident}", "form": form, "resident": resident},
    )


def _decision(request, pk):
    return get_object_or_404(
        DecisionOrientation.objects.visibles_par(request.user).select_related(
            "resident__structure", "modalite", "structure", "decidee_par", "accompagnement__referent", "demande"
        ),
        pk=pk,
    )


@require_GET
def orientation(request, pk):
    decision = _decision(request, pk)
    peut_affecter = (
        decision.accompagnement_id is None
        and acces.peut_affecter(request.user, decision)
        and DecisionOrientation.objects.a_affecter().filter(pk=decision.pk).exists()
    )
    form = AffectationForm(decision=decision, user=request.user, initial={"version": decision.version})
    return render(
        request,
        "accompagnement/orientations/orientation.html",
        {
            "decision": decision,
            "form": form if peut_affecter else None,
            "historique": decision.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@require_GET
def lettre(request, pk):
    """The letter telling the person of her orientation (A4 PDF)."""
    decision = _decision(request, pk)
    contenu = pdf_de(
        "accompagnement/orientations/lettre.html", {"decision": decision}, style=".meta { margin-bottom: 6mm; }"
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="orientation-{decision.pk}.pdf"'
    return reponse


@require_GET
def a_affecter(request):
    """The structure's people oriented to it, waiting for their référent."""
    if not acces.est_de_l_equipe(request.user):
        raise PermissionDenied("Réservé aux équipes des structures.")
    decisions = (
        DecisionOrientation.objects.a_affecter()
        .filter(structure_id__in=acces.structures_de(request.user))
        .select_related("resident", "modalite", "structure")
        .order_by("date_decision")
    )
    return render(request, "accompagnement/orientations/a_affecter.html", {"decisions": decisions})


@require_POST
def affecter(request, pk):
    decision = _decision(request, pk)
    if not acces.peut_affecter(request.user, decision):
        raise PermissionDenied("Seule l'équipe de l'organisme désigné affecte le référent.")
    form = AffectationForm(request.POST, decision=decision, user=request.user)
    if form.is_valid():
        try:
            mesure = orientations.affecter(
                decision=decision, par=request.user, **donnees(form, "referent", "date_debut", "version")
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, decision)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Accompagnement ouvert : {mesure.referent} est référent·e de {mesure.resident}.")
            return redirect("residents:dossier", mesure.resident_id)
    return render(
        request,
        "accompagnement/orientations/orientation.html",
        {"decision": decision, "form": form, "historique": decision.history.order_by("-history_date")[:20]},
        status=400,
    )


# --- réorientation on request ----------------------------------------------------------------------------


def _demandes(user):
    return DemandeReorientation.objects.visibles_par(user).select_related(
        "accompagnement__resident", "accompagnement__modalite", "accompagnement__structure", "modalite", "demandee_par"
    )


@require_http_methods(["GET", "POST"])
def demander(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    if not accompagnement.modalite.is_rsa:
        return redirect("accompagnement:reorienter", pk)
    en_attente = accompagnement.demandes_reorientation.en_attente().first()
    if en_attente is not None:
        messages.info(request, "Une demande de réorientation attend déjà la décision du délégué insertion.")
        return redirect("accompagnement:demande_reorientation", en_attente.pk)
    form = DemandeReorientationForm(request.POST or None, accompagnement=accompagnement)
    if request.method == "POST" and form.is_valid():
        try:
            demande = orientations.demander_reorientation(
                accompagnement=accompagnement, par=request.user, **donnees(form, "modalite", "motif", "jeton")
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Demande envoyée au délégué insertion : il la décide.")
            return redirect("accompagnement:demande_reorientation", demande.pk)
    return render(
        request,
        "accompagnement/formulaire.html",
        {"titre": "Demander une réorientation", "form": form, "accompagnement": accompagnement},
    )


@require_GET
def demandes(request):
    qs = _demandes(request.user)
    statut = request.GET.get("statut", DemandeReorientation.Statut.EN_ATTENTE)
    if statut in DemandeReorientation.Statut.values:
        qs = qs.filter(statut=statut)
    return render(
        request,
        "accompagnement/orientations/demandes.html",
        {"demandes": qs[:200], "statut": statut, "statuts": DemandeReorientation.Statut.choices},
    )


def _page_demande(request, demande, *, form_acceptation=None, form_refus=None, status=200):
    decide = demande.statut == DemandeReorientation.Statut.EN_ATTENTE and acces.peut_orienter(
        request.user, demande.accompagnement.structure.territoire_id
    )
    if decide:
        initial = {"version": demande.version}
        form_acceptation = form_acceptation or AcceptationForm(demande=demande, user=request.user, initial=initial)
        form_refus = form_refus or RefusForm(initial=initial)
    return render(
        request,
        "accompagnement/orientations/demande.html",
        {
            "demande": demande,
            "decision": DecisionOrientation.objects.filter(demande=demande).first(),
            "decide": decide,
            "form_acceptation": form_acceptation,
            "form_refus": form_refus,
        },
        status=status,
    )


@require_GET
def demande(request, pk):
    return _page_demande(request, get_object_or_404(_demandes(request.user), pk=pk))


@require_POST
def decider(request, pk):
    demande = get_object_or_404(_demandes(request.user), pk=pk)
    if not acces.peut_orienter(request.user, demande.accompagnement.structure.territoire_id):
        raise PermissionDenied("La demande est décidée par le délégué insertion du territoire.")
    if request.POST.get("decision") == "refuser":
        form = RefusForm(request.POST)
        autres = {"form_refus": form}
        service, champs, message = orientations.refuser_demande, ("motif_refus", "version"), "Demande refusée."
    else:
        form = AcceptationForm(request.POST, demande=demande, user=request.user)
        autres = {"form_acceptation": form}
        service, champs = orientations.accepter_demande, ("modalite", "structure", "date", "version")
        message = "Réorientation décidée."
    if form.is_valid():
        try:
            service(demande=demande, par=request.user, **donnees(form, *champs))
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, demande)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, message)
            return redirect("accompagnement:demande_reorientation", demande.pk)
    return _page_demande(request, demande, status=400, **autres)
