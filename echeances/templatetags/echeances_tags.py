"""`{% load echeances_tags %}`: `{% nb_a_faire user %}`, the nav badge: the rows of the user's « À faire »
(echeances.selectors.alertes_a_faire, one query);
`etat|etat_echeance`, a state's label and colour (components/etat_echeance.html); `alerte|acquittement`, the
form that acknowledges an alert (included by many lists, so built here rather than by each view)."""

from django import template

from accounts import acces
from echeances.choix import Etat
from echeances.forms import AcquittementForm
from echeances.selectors import alertes_a_faire

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
    # The administrator's list is one structure at a time: no whole-base count on each of their pages.
    if not getattr(user, "is_authenticated", False) or not acces.a_des_echeances(user):
        return 0
    return alertes_a_faire(user).count()


@register.simple_tag
def signalements_du_dossier(accompagnements, user):
    """The reports on the person's measures that the user sees (one query), for the dossier's section."""
    from echeances.models import SignalementSanction

    return list(
        SignalementSanction.objects.visibles_par(user)
        .filter(accompagnement__in=[a.pk for a in accompagnements])
        .select_related("auteur")
    )
