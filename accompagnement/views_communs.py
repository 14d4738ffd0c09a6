"""Small helpers shared by the views of the apps (accompagnement, residents, admissions, échéances, pilotage)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from accounts.acces import exiger_droit

from .models import Accompagnement, Entretien


def accompagnement_modifiable(request, pk):
    """The measure if the user may see it (404 otherwise) and write on it (403 otherwise)."""
    accompagnement = get_object_or_404(
        Accompagnement.objects.visibles_par(request.user).select_related(
            "resident", "modalite", "referent", "structure"
        ),
        pk=pk,
    )
    exiger_droit(request.user, accompagnement)
    return accompagnement


def entretien_modifiable(request, pk):
    entretien = get_object_or_404(
        Entretien.objects.visibles_par(request.user).select_related(
            "accompagnement__resident", "accompagnement__structure", "accompagnement__modalite"
        ),
        pk=pk,
    )
    exiger_droit(request.user, entretien.accompagnement)
    return entretien


def reporter_erreurs(form, erreur: ValidationError):
    """Put a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(erreur, "error_dict"):
        for champ, erreurs in erreur.error_dict.items():
            for e in erreurs:
                form.add_error(champ if champ in form.fields else None, e.messages)
    else:
        form.add_error(None, erreur.messages)


def conflit(form, objet):
    """On a version conflict the user's input stays; the version moves on so a deliberate resubmit goes through."""
    donnees_form = form.data.copy()
    donnees_form["version"] = type(objet).objects.get(pk=objet.pk).version
    form.data = donnees_form


def donnees(form, *noms):
    return {nom: form.cleaned_data[nom] for nom in noms if nom in form.cleaned_data}


def entier(valeur):
    """A primary key or a number read from a query string or a form, or None: an invalid value ("²",
    "abc", "1.5") is ignored rather than a 500 ("²".isdigit() is True, but int("²") fails)."""
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None
