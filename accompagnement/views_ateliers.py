"""Workshops (actions collectives): list, creation, detail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.acces import exiger_equipe, peut_agir
from referentiel.models import Territoire
from referentiel.regles import parametres_par_territoire
from residents.models import Resident

from . import selectors, services
from .forms import ActionCollectiveForm, AnnulationAtelierForm, ModificationAtelierForm
from .models import ActionCollective
from .verrou import ConflitDeVersion
from .views_communs import conflit, donnees, reporter_erreurs

CODE_MINIMUM = "ATELIER_PARTICIPANTS_MIN"


def _noter_minimums(actions):
    """Each workshop gets the référentiel's « at least 5–6 people » of its territory (domain.md §3)."""
    territoires = Territoire.objects.filter(pk__in={a.structure.territoire_id for a in actions})
    valeurs = parametres_par_territoire(territoires)
    for action in actions:
        action.minimum = valeurs.get((action.structure.territoire_id, CODE_MINIMUM))
        action.sous_minimum = (
            action.minimum is not None and action.nb_participants < action.minimum and not action.est_annulee
        )


@require_GET
def ateliers(request):
    qs = selectors.ateliers_de(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _noter_minimums(page.object_list)
    cadence = selectors.cadence_des_ateliers(request.user, le=timezone.localdate())
    return render(request, "accompagnement/ateliers.html", {"page": page, "cadence": cadence})


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
    return render(request, "accompagnement/atelier_form.html", {"form": form, "titre": "Nouvel atelier"})


def _atelier_modifiable(request, pk):
    """The workshop if the user sees it (404 otherwise), is of its team (403 otherwise) and it is not
    cancelled (back to its page, saying so)."""
    action = get_object_or_404(ActionCollective.objects.visibles_par(request.user).select_related("structure"), pk=pk)
    exiger_equipe(request.user, action.structure, "Seule l'équipe de la structure modifie ses ateliers.")
    return action


@require_http_methods(["GET", "POST"])
def atelier_modifier(request, pk):
    action = _atelier_modifiable(request, pk)
    if action.est_annulee:
        messages.info(request, "Cet atelier a été annulé : il ne se modifie plus.")
        return redirect("accompagnement:atelier", action.pk)
    form = ModificationAtelierForm(request.POST or None, action=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_action_collective(
                action=action,
                par=request.user,
                **donnees(
                    form,
                    "version",
                    "theme",
                    "date_heure",
                    "duree_minutes",
                    "lieu",
                    "description",
                    "animateurs",
                    "residents",
                ),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, action)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Atelier modifié.")
            return redirect("accompagnement:atelier", action.pk)
    return render(
        request,
        "accompagnement/atelier_form.html",
        {"form": form, "titre": f"Modifier l'atelier « {action.theme} »", "action": action},
    )


@require_http_methods(["GET", "POST"])
def atelier_annuler(request, pk):
    """A page of its own with the reason to give, and a confirmation before sending."""
    action = _atelier_modifiable(request, pk)
    if action.est_annulee:
        messages.info(request, "Cet atelier est déjà annulé.")
        return redirect("accompagnement:atelier", action.pk)
    form = AnnulationAtelierForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.annuler_action_collective(
                action=action, par=request.user, version=form.cleaned_data["version"], motif=form.cleaned_data["motif"]
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, action)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Atelier annulé.")
            return redirect("accompagnement:atelier", action.pk)
    nombre = action.participations.count()
    return render(request, "accompagnement/atelier_annuler.html", {"form": form, "action": action, "nombre": nombre})


@require_GET
def atelier(request, pk):
    action = get_object_or_404(
        ActionCollective.objects.visibles_par(request.user)
        .select_related("structure", "annulee_par")
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
            "modifiable": peut_agir(request.user, action.structure) and not action.est_annulee,
            # A co-referred person of another structure stays hidden from colleagues who cannot see her.
            "participants": action.participants.filter(
                pk__in=Resident.objects.visibles_par(request.user).values("pk")
            ).order_by("nom", "prenom"),
        },
    )
