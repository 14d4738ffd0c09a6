"""`{% load echeances_tags %}`: `{% nb_a_faire user %}`, the count of open alerts for the nav badge (one query);
`etat|etat_echeance`, a state's label and colour (components/etat_echeance.html)."""

from django import template

from echeances.choix import Etat, Regle
from echeances.models import Alerte

register = template.Library()


@register.filter
def etat_echeance(etat):
    """The Etat (label, rank, colour) of a state given as a member or as its text; None for anything else."""
    try:
        return Etat(etat)
    except ValueError:
        return None


@register.simple_tag
def nb_a_faire(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    return Alerte.objects.ouvertes().pour(user).count()


# A référent's caseload over the norm is theirs, not the person's: it is on their home page and in their
# « À faire », not on each of their dossiers (and its query is not run for a dossier).
REGLES_DE_LA_PERSONNE = [regle for regle in Regle if regle != Regle.NORME_FILE_ACTIVE]


@register.simple_tag
def echeances_du_dossier(accompagnements, contexte=None):
    """What is due on the person's measures today, most urgent first, from the one engine
    (à jour échéances are left to the suivi table of the dossier). `contexte`: the référentiel the
    page already read for today (echeances.base.Contexte), if any."""
    from django.utils import timezone

    from echeances.moteur import calculer

    ids = [a.pk for a in accompagnements if a.est_actif]
    if not ids:
        return []
    le = timezone.localdate()
    contexte = contexte if getattr(contexte, "le", None) == le else None
    echeances = calculer(ids, le=le, regles=REGLES_DE_LA_PERSONNE, contexte=contexte)
    a_traiter = [e for e in echeances if e.etat != "A_JOUR"]
    return sorted(a_traiter, key=lambda e: (e.etat != "EN_RETARD", e.due_le))
