"""`{% load echeances_tags %}`: `{% nb_a_faire user %}`, the count of open alerts for the nav badge (one query);
`etat|etat_echeance`, a state's label and colour (components/etat_echeance.html); `alerte|acquittement`, the
form that acknowledges an alert (included by many lists, so built here rather than by each view)."""

from django import template

from echeances.choix import Etat
from echeances.forms import AcquittementForm
from echeances.models import Alerte

register = template.Library()


@register.filter
def etat_echeance(etat):
    """The Etat (label, rank, colour) of a state given as a member or as its text; None for anything else."""
    try:
        return Etat(etat)
    except ValueError:
        return None


@register.filter
def acquittement(alerte):
    return AcquittementForm.pour(alerte)


@register.simple_tag
def nb_a_faire(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    return Alerte.objects.ouvertes().pour(user).count()
