"""`{% load diagnostic_tags %}{% diagnostics_du_dossier accompagnements user as lignes %}`: the dossier's
« Diagnostic » section, one query whatever the number of measures."""

from django import template

from accompagnement.models import Diagnostic

register = template.Library()


@register.simple_tag
def diagnostics_du_dossier(accompagnements, user):
    """For each measure that starts with a diagnostic (RSA, ASLL): (measure, its latest diagnostic or
    None, how many earlier ones), those the user may see."""
    mesures = [a for a in accompagnements if a.prevoit_un_diagnostic]
    par_mesure = {}
    # Read for every measure, not only those that take one: the same one query whatever the measures are.
    ids = [a.pk for a in accompagnements]
    for d in Diagnostic.objects.visibles_par(user).filter(accompagnement__in=ids).select_related("auteur"):
        par_mesure.setdefault(d.accompagnement_id, []).append(d)  # newest first (the model's ordering)
    return [(m, (par_mesure.get(m.pk) or [None])[0], max(len(par_mesure.get(m.pk, [])) - 1, 0)) for m in mesures]
