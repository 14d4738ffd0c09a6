import datetime

from django import template

from accounts import acces
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


@register.simple_tag
def mesures_a_rediger(accompagnements, user):
    """The measures whose contracts `user` may draft (accounts.acces.peut_rediger)."""
    return [a for a in accompagnements if acces.peut_rediger(user, a)]


@register.filter
def date_fr(iso):
    """A date of a frozen content, stored in ISO (« 2026-07-05 »), as French readers write it: 05/07/2026."""
    if not iso:
        return ""
    try:
        return datetime.date.fromisoformat(str(iso)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


_GUILLEMETS = "«»“”„\"' \u00a0\u202f"


@register.filter
def entre_guillemets(texte):
    """« … » once: a quotation already typed with its quotes (the person's words often are) is not
    quoted twice (« « … » »)."""
    texte = str(texte or "").strip()
    interieur = texte.strip(_GUILLEMETS)
    if not interieur:
        return ""
    return f"« {interieur} »"
