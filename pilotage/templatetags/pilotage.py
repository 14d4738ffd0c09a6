import uuid

from django import template
from django.utils import timezone

from ..actions import actions_pour

register = template.Library()


@register.inclusion_tag("pilotage/includes/actions_a_faire.html", takes_context=True)
def actions_comite(context):
    """The committee actions of the signed-in user, for any « À faire » page: {% actions_comite %}."""
    request = context.get("request")
    return {"actions": actions_pour(request.user) if request else []}


@register.filter
def etat_decision(decision):
    """A card's state: « à décider », or « enregistrée à 10 h 42 » (local time; the date too when it
    was not today)."""
    if decision is None:
        return "à décider"
    moment = timezone.localtime(decision.enregistree_le)
    jour = "" if moment.date() == timezone.localdate() else f"le {moment:%d/%m/%Y} "
    return f"enregistrée {jour}à {moment.hour} h {moment:%M}"


@register.simple_tag
def decisions_du_dossier(accompagnements, user):
    """The committee decisions about the person's measures the user sees, latest committee first: one
    query (for the dossier's « Décisions des comités de suivi » section)."""
    from ..models import DecisionComite

    ids = [m.pk for m in accompagnements]
    if not ids:
        return []
    return list(
        DecisionComite.objects.visibles_par(user)
        .filter(accompagnement_id__in=ids)
        .select_related("comite__referent", "accompagnement__modalite", "modalite_cible")
        .order_by("-comite__date", "-pk")
    )


@register.inclusion_tag("pilotage/includes/bouton_export.html", takes_context=True)
def export_de_la_liste(context, type, libelle="la liste"):
    """CSV / Excel buttons exporting a list as the page shows it: {% export_de_la_liste "personnes" %}.
    The page's query string (its filters, without the page number) goes with the request."""
    request = context["request"]
    filtres = request.GET.copy()
    filtres.pop("page", None)
    return {
        "type": type,
        "libelle": libelle,
        "filtres": filtres.urlencode(),
        "jeton": uuid.uuid4(),
        "retour": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
