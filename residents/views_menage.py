"""The household from the person's page: link a conjoint (already followed, or new after the duplicate
check), unlink after a confirmation. The team of the person's structure only (403 for a reader, 404 for
an outsider)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accompagnement.jeton import deja_saisi
from accompagnement.verrou import ConflitDeVersion
from accompagnement.views_communs import conflit, reporter_erreurs
from accounts import acces

from . import doublons, menages, services
from .forms import DeliaisonForm, MenageForm
from .models import Resident

REFUS = "Seule l'équipe de la structure de la personne déclare son ménage."


def _dossier_equipe(request, pk):
    resident = get_object_or_404(Resident.objects.visibles_par(request.user).select_related("structure"), pk=pk)
    acces.exiger_equipe(request.user, resident.structure, REFUS)
    return resident


def _nouveau_conjoint(request, resident, form):
    """The new person, created in the person's structure (once per form: the jeton)."""
    return services.creer_resident(
        par=request.user,
        structure=resident.structure,
        jeton=form.cleaned_data["jeton"],
        nom=form.cleaned_data["nom"],
        prenom=form.cleaned_data["prenom"],
        date_naissance=form.cleaned_data["date_naissance"],
        situation_familiale=Resident.SituationFamiliale.COUPLE,
    )


@require_http_methods(["GET", "POST"])
def menage(request, pk):
    resident = _dossier_equipe(request, pk)
    personnes = Resident.objects.visibles_par(request.user).filter(structure=resident.structure)
    form = MenageForm(
        request.POST or None, resident=resident, personnes=personnes, initial={"version": resident.version}
    )
    candidats = None
    if request.method == "POST" and form.is_valid():
        # The same form sent twice: the person its jeton created is the conjoint, not a duplicate.
        conjoint = form.cleaned_data["conjoint"] or deja_saisi(Resident, form.cleaned_data["jeton"])
        if conjoint is None:
            candidats = doublons.candidats(
                request.user,
                nom=form.cleaned_data["nom"],
                prenom=form.cleaned_data["prenom"],
                date_naissance=form.cleaned_data["date_naissance"],
                exclure=resident.pk,
            )
        if conjoint is not None or not candidats or request.POST.get("creer_quand_meme") == "1":
            try:
                with transaction.atomic():
                    conjoint = conjoint or _nouveau_conjoint(request, resident, form)
                    menages.lier_conjoint(
                        resident=resident, conjoint=conjoint, par=request.user, version=form.cleaned_data["version"]
                    )
            except ConflitDeVersion as erreur:
                reporter_erreurs(form, erreur)
                conflit(form, resident)
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, f"Ménage enregistré : {conjoint} est conjoint·e de {resident}.")
                return redirect("residents:dossier", resident.pk)
    contexte = {"resident": resident, "form": form, "doublons": candidats, "conjoint": resident.autre_membre_du_couple}
    return render(request, "residents/menage.html", contexte)


@require_http_methods(["GET", "POST"])
def menage_delier(request, pk):
    resident = _dossier_equipe(request, pk)
    conjoint = resident.autre_membre_du_couple
    form = DeliaisonForm(request.POST or None, initial={"version": resident.version})
    if request.method == "POST" and form.is_valid():
        try:
            menages.delier_conjoint(resident=resident, par=request.user, version=form.cleaned_data["version"])
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, resident)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Ménage délié : pensez à mettre à jour la situation familiale de chacun·e.")
            return redirect("residents:dossier", resident.pk)
    return render(request, "residents/menage_delier.html", {"resident": resident, "form": form, "conjoint": conjoint})
