"""Workshops (actions collectives): list, creation, detail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from referentiel.models import Territoire
from referentiel.regles import parametres_par_territoire
from residents.models import Resident

from . import services
from .forms import ActionCollectiveForm
from .models import ActionCollective
from .views_communs import donnees, reporter_erreurs

CODE_MINIMUM = "ATELIER_PARTICIPANTS_MIN"


def _noter_minimums(actions):
    """Each workshop gets the référentiel's « at least 5–6 people » of its territory (domain.md §3)."""
    territoires = Territoire.objects.filter(pk__in={a.structure.territoire_id for a in actions})
    valeurs = parametres_par_territoire(territoires)
    for action in actions:
        action.minimum = valeurs.get((action.structure.territoire_id, CODE_MINIMUM))
        action.sous_minimum = action.minimum is not None and action.nb_participants < action.minimum


@require_GET
def ateliers(request):
    qs = (
        ActionCollective.objects.visibles_par(request.user)
        .select_related("structure")
        .annotate(nb_participants=Count("participations", distinct=True))
        .order_by("-date_heure")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _noter_minimums(page.object_list)
    return render(request, "accompagnement/ateliers.html", {"page": page})


@require_http_methods(["GET", "POST"])
def atelier_nouveau(request):
    form = ActionCollectiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            action, cree = services.creer_action_collective(
                par=request.user,
                **donnees(
                    form,
                    "structure",
                    "theme",
                    "date_heure",
                    "duree_minutes",
                    "lieu",
                    "description",
                    "animateurs",
                    "residents",
                    "jeton",
                ),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Atelier enregistré." if cree else "Cet atelier était déjà enregistré.")
            return redirect("accompagnement:atelier", action.pk)
    return render(request, "accompagnement/atelier_form.html", {"form": form})


@require_GET
def atelier(request, pk):
    action = get_object_or_404(
        ActionCollective.objects.visibles_par(request.user)
        .select_related("structure")
        .annotate(nb_participants=Count("participations", distinct=True)),
        pk=pk,
    )
    _noter_minimums([action])
    return render(
        request,
        "accompagnement/atelier.html",
        {
            "action": action,
            "animateurs": action.animateurs.all(),
            # A co-referred person of another structure stays hidden from colleagues who cannot see her.
            "participants": action.participants.filter(
                pk__in=Resident.objects.visibles_par(request.user).values("pk")
            ).order_by("nom", "prenom"),
        },
    )
