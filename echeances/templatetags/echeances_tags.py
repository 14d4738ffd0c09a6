"""`{% load echeances_tags %}{% nb_a_faire user %}`: the count of open alerts for the nav badge (one query)."""

from django import template

from echeances.models import Alerte

register = template.Library()


@register.simple_tag
def nb_a_faire(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    return Alerte.objects.ouvertes().pour(user).count()
