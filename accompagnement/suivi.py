"""The screens' single door to the échéance engine (echeances.moteur): due dates and states are
computed there and nowhere else. Until the engine is installed the columns stay empty rather than
showing a date computed here."""

from django.utils import timezone

ETATS = {
    "A_JOUR": ("à jour", "success"),
    "BIENTOT": ("bientôt dû", "warning"),
    "EN_RETARD": ("en retard", "danger"),
}
RANG_ETAT = {"EN_RETARD": 0, "BIENTOT": 1, "A_JOUR": 2, None: 3}


def suivis(accompagnements, *, le=None, contexte=None):
    """{accompagnement_id: Suivi} for the measures (a queryset or their ids). `contexte`: the
    référentiel read once for a page that asks the engine more than once (contexte_du_jour)."""
    try:
        from echeances.moteur import suivis as calculer_suivis
    except ImportError:
        return {}
    return calculer_suivis(accompagnements, le=le or timezone.localdate(), contexte=contexte)


def contexte_du_jour(le=None):
    """The référentiel as the engine reads it for day `le` (a few queries), to share within a page."""
    try:
        from echeances.base import Contexte
    except ImportError:
        return None
    return Contexte(le or timezone.localdate())


def libelle_etat(etat):
    return ETATS.get(etat, ("—", "secondary"))
