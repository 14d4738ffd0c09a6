"""Screens of the sanction procedure: a report's page (its steps, its supporting documents, the form of
the next step for whoever may record it), the step writes, the documents' download, the letter to the
person. Every report is fetched through SignalementSanction.objects.visibles_par (outsiders: 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from accompagnement.verrou import ConflitDeVersion
from accompagnement.views_communs import reporter_erreurs
from accounts import acces

from . import courrier, sanctions
from .forms import AvisEPForm, DecisionSignalementForm, InformerForm, LeveeForm, ObservationsForm, PieceForm
from .models import EtapeSanction, SignalementSanction

E = EtapeSanction

# action → (form, service, the states it is offered in, who may, the fields passed to the service, message)
ETAPES = {
    "informer": (InformerForm, sanctions.informer, (E.SIGNALE,), "decide", ("le",), "Information enregistrée."),
    "observations": (
        ObservationsForm,
        sanctions.noter_observations,
        (E.INFORMEE,),
        "observations",
        ("le", "contenu"),
        "Observations enregistrées.",
    ),
    "avis": (
        AvisEPForm,
        sanctions.noter_avis_ep,
        (E.INFORMEE, E.OBSERVATIONS),
        "decide",
        ("le", "avis"),
        "Avis de l'équipe pluridisciplinaire enregistré.",
    ),
    "decider": (
        DecisionSignalementForm,
        sanctions.decider_signalement,
        (E.SIGNALE, E.INFORMEE, E.OBSERVATIONS, E.AVIS_EP),
        "decide",
        ("le", "issue", "commentaire", "taux", "duree_mois", "debut"),
        "Décision enregistrée.",
    ),
    "lever": (LeveeForm, sanctions.lever_suspension, (E.SUSPENDU,), "decide", ("le", "motif"), "Suspension levée."),
}


def _peut(user, qui, signalement):
    if qui == "decide":
        return acces.decide_les_signalements(user)
    return acces.note_les_observations(user, signalement)


def _signalement(request, pk):
    qs = SignalementSanction.objects.visibles_par(request.user).select_related(
        "accompagnement__resident", "accompagnement__structure", "accompagnement__modalite", "auteur", "issue_par",
        "refus__contrat",
    )  # fmt: skip
    return get_object_or_404(qs, pk=pk)


def _formulaires(user, signalement, lie=None):
    """The forms of the steps this user may record now (`lie`: the one sent back with its errors)."""
    formulaires = {}
    for action, (form_class, _service, etats, qui, _champs, _message) in ETAPES.items():
        if signalement.etape in etats and _peut(user, qui, signalement):
            formulaires[action] = (
                lie if lie is not None and lie.prefix == form_class.prefixe else form_class.pour(signalement)
            )
    return formulaires


def _page(request, signalement, *, lie=None, form_piece=None, status=200):
    contexte = {
        "s": signalement,
        "etapes": signalement.etapes.select_related("par"),
        "pieces": signalement.pieces.select_related("ajoutee_par"),
        "absences": signalement.absences.order_by("date_heure"),
        "formulaires": _formulaires(request.user, signalement, lie),
        "form_piece": form_piece or (PieceForm() if acces.joint_des_pieces(request.user, signalement) else None),
    }
    return render(request, "echeances/signalement.html", contexte, status=status)


@require_GET
def signalement(request, pk):
    return _page(request, _signalement(request, pk))


@require_POST
def signalement_etape(request, pk, action):
    signalement = _signalement(request, pk)
    if action not in ETAPES:
        raise Http404
    form_class, service, _etats, qui, champs, message = ETAPES[action]
    if not _peut(request.user, qui, signalement):
        raise PermissionDenied("Vous ne pouvez pas enregistrer cette étape.")
    form = form_class(request.POST, prefix=form_class.prefixe)
    if form.is_valid():
        try:
            service(
                signalement=signalement,
                par=request.user,
                version=form.cleaned_data["version"],
                **{c: form.cleaned_data.get(c) for c in champs},
            )
        except ConflitDeVersion as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            reporter_erreurs(form, exc)
        else:
            messages.success(request, message)
            return redirect("echeances:signalement", pk=signalement.pk)
    signalement.refresh_from_db()
    if signalement.etape not in ETAPES[action][2]:
        # The report moved on meanwhile (another user, a second submit): its form is no longer on the page,
        # so its error is told as a message, on the page as it is now.
        messages.error(request, " ".join(form.non_field_errors()) or "Cette étape n'est plus à enregistrer.")
        return redirect("echeances:signalement", pk=signalement.pk)
    return _page(request, signalement, lie=form, status=400)


@require_POST
def signalement_piece_ajouter(request, pk):
    signalement = _signalement(request, pk)
    if not acces.joint_des_pieces(request.user, signalement):
        raise PermissionDenied("Vous ne pouvez pas joindre de pièce à ce signalement.")
    form = PieceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sanctions.ajouter_piece(
                signalement=signalement,
                par=request.user,
                fichier=form.cleaned_data["fichier"],
                jeton=form.cleaned_data.get("jeton"),
            )
        except ValidationError as exc:
            reporter_erreurs(form, exc)
        else:
            messages.success(request, "Pièce jointe au signalement.")
            return redirect(reverse("echeances:signalement", args=[signalement.pk]) + "#pieces")
    return _page(request, signalement, form_piece=form, status=400)


@require_GET
def signalement_piece(request, pk, piece):
    """A supporting document, to those who see the report only (never through a public /media/ URL)."""
    signalement = _signalement(request, pk)
    piece = get_object_or_404(signalement.pieces, pk=piece)
    # Read whole (at most SIGNALEMENT_PIECE_TAILLE_MAX), like the contracts' stored PDFs: no file left open.
    with piece.fichier.open("rb") as flux:
        reponse = HttpResponse(flux.read(), content_type=piece.type_mime)
    reponse["Content-Disposition"] = content_disposition_header(True, piece.nom)
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


@require_GET
def signalement_courrier(request, pk):
    """The letter telling the person of the intended sanction and of her right to present observations."""
    signalement = _signalement(request, pk)
    if not signalement.informee_le:
        raise Http404("La personne n'a pas encore été informée.")
    reponse = HttpResponse(courrier.pdf(signalement), content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="courrier-signalement-{signalement.pk}.pdf"'
    return reponse
