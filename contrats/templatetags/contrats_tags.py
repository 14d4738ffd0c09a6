from django import template

from contrats.models import Contrat

register = template.Library()


@register.simple_tag
def contrats_du_dossier(accompagnements, user):
    """The contracts of the given measures that `user` may see, newest first (one query)."""
    ids = [a.pk for a in accompagnements]
    return list(
        Contrat.objects.visibles_par(user)
        .filter(accompagnement_id__in=ids)
        .exclude(etat=Contrat.Etat.ANNULE)
        .order_by("-date_debut", "-pk")
    )
