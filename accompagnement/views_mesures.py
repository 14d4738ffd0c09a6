"""A measure's life: open, re-orient, end; its objectives and evaluations; its co-referents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import acces
from residents.models import Resident

from . import services
from .forms import (
    AccompagnementForm,
    CoReferentForm,
    EvaluationForm,
    FinAccompagnementForm,
    ObjectifForm,
    ReorientationForm,
    RetraitCoReferentForm,
)
from .models import Accompagnement, CoReferent, Objectif
from .verrou import ConflitDeVersion
from .views_communs import accompagnement_modifiable, conflit, donnees, reporter_erreurs


def _vers_dossier(accompagnement, message, request):
    messages.success(request, message)
    return redirect("residents:dossier", accompagnement.resident_id)


def _formulaire(request, titre, form, accompagnement, **extra):
    return render(
        request,
        "accompagnement/formulaire.html",
        {"titre": titre, "form": form, "accompagnement": accompagnement, **extra},
    )


@require_http_methods(["GET", "POST"])
def accompagnement_ouvrir(request, pk):
    resident = get_object_or_404(Resident.objects.visibles_par(request.user).select_related("structure"), pk=pk)
    # A reader (délégué, conseillère logement) is told at once, not after filling the form in.
    acces.exiger_equipe(request.user, resident.structure, services.OUVERTURE_REFUSEE)
    form = AccompagnementForm(request.POST or None, user=request.user, structure=resident.structure)
    if request.method == "POST" and form.is_valid():
        try:
            mesure = services.ouvrir_accompagnement(
                resident=resident, par=request.user, **donnees(form, "modalite", "referent", "date_debut", "jeton")
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(mesure, "Accompagnement ouvert.", request)
    return render(
        request,
        "accompagnement/formulaire.html",
        {"titre": f"Ouvrir un accompagnement pour {resident}", "form": form, "resident": resident},
    )


@require_http_methods(["GET", "POST"])
def reorienter(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    if accompagnement.modalite.is_rsa:  # the Département decides: the référent asks (views_orientations)
        return redirect("accompagnement:demander_reorientation", pk)
    form = ReorientationForm(
        request.POST or None,
        accompagnement=accompagnement,
        user=request.user,
        initial={"version": accompagnement.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            suivant = services.reorienter(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, "modalite", "date", "referent", "relais", "version"),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, accompagnement)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            if suivant is None:
                message = f"Orientation « {form.cleaned_data['modalite'].libelle} » notée : la mesure est close."
            else:
                message = "Réorientation enregistrée : la nouvelle mesure est ouverte."
            return _vers_dossier(accompagnement, message, request)
    return _formulaire(request, "Réorienter", form, accompagnement)


@require_http_methods(["GET", "POST"])
def terminer(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    form = FinAccompagnementForm(
        request.POST or None, accompagnement=accompagnement, initial={"version": accompagnement.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.terminer_accompagnement(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(
                    form,
                    "date_fin",
                    "motif_fin",
                    "destination",
                    "conditions_sortie",
                    "relais",
                    "relais_contact",
                    "relais_user",
                    "version",
                ),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, accompagnement)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(accompagnement, "Accompagnement terminé.", request)
    return _formulaire(request, "Terminer l'accompagnement", form, accompagnement)


# --- objectives -------------------------------------------------------------------------------------

CHAMPS_OBJECTIF = ("domaine", "libelle", "critere", "echeance", "actions", "etat")


@require_http_methods(["GET", "POST"])
def objectif_nouveau(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    form = ObjectifForm(request.POST or None)
    del form.fields["etat"]
    if request.method == "POST" and form.is_valid():
        try:
            services.creer_objectif(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, "domaine", "libelle", "critere", "echeance", "actions", "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(accompagnement, "Objectif ajouté.", request)
    return _formulaire(request, "Nouvel objectif", form, accompagnement)


def _objectif(request, pk):
    objectif = get_object_or_404(Objectif.objects.visibles_par(request.user).select_related("accompagnement"), pk=pk)
    accompagnement_modifiable(request, objectif.accompagnement_id)
    return objectif


@require_http_methods(["GET", "POST"])
def objectif_modifier(request, pk):
    objectif = _objectif(request, pk)
    form = ObjectifForm(request.POST or None, instance=objectif, initial={"version": objectif.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_objectif(
                objectif=objectif,
                par=request.user,
                version=form.cleaned_data["version"],
                **donnees(form, *CHAMPS_OBJECTIF),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, objectif)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(objectif.accompagnement, "Objectif modifié.", request)
    return _formulaire(request, f"Modifier l'objectif « {objectif} »", form, objectif.accompagnement)


@require_http_methods(["GET", "POST"])
def objectif_evaluer(request, pk):
    objectif = _objectif(request, pk)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluer_objectif(
                objectif=objectif,
                par=request.user,
                **donnees(form, "date", "niveau", "parole_personne", "competences", "commentaire", "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(objectif.accompagnement, "Évaluation enregistrée.", request)
    return _formulaire(request, f"Évaluer l'objectif « {objectif} »", form, objectif.accompagnement)


# --- co-referents -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def coreferent_ajouter(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    form = CoReferentForm(request.POST or None, accompagnement=accompagnement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.ajouter_coreferent(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, "user", "contact", "role", "date_debut", "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(accompagnement, "Co-référent ajouté.", request)
    return _formulaire(request, "Ajouter un co-référent", form, accompagnement)


@require_http_methods(["GET", "POST"])
def coreferent_retirer(request, pk):
    coreferent = get_object_or_404(
        CoReferent.objects.filter(accompagnement__in=Accompagnement.objects.visibles_par(request.user)), pk=pk
    )
    accompagnement = accompagnement_modifiable(request, coreferent.accompagnement_id)
    form = RetraitCoReferentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retirer_coreferent(coreferent=coreferent, par=request.user, date_fin=form.cleaned_data["date_fin"])
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _vers_dossier(accompagnement, "Co-référent retiré.", request)
    return _formulaire(request, f"Retirer {coreferent}", form, accompagnement)
