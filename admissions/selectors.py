"""The admissions board's applications, defined once: the board (admissions.views.tableau) and its
export read them here."""

from referentiel.models import Structure

from .models import Candidature


def residences_de(user):
    """The FJT residences whose applications the user handles."""
    return user.structures.filter(type=Structure.Type.FJT)


def candidatures_ouvertes(user, residence=None):
    qs = (
        Candidature.objects.visibles_par(user)
        .filter(residence__in=residences_de(user))
        .ouvertes()
        .select_related("resident", "tiers", "residence", "referent")
        .order_by("date_candidature", "pk")
    )
    if residence is not None:
        qs = qs.filter(residence_id=residence)
    return qs
