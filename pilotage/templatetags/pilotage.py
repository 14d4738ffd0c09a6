from django import template

from ..actions import actions_pour

register = template.Library()


@register.inclusion_tag("pilotage/includes/actions_a_faire.html", takes_context=True)
def actions_comite(context):
    """The committee actions of the signed-in user, for any « À faire » page: {% actions_comite %}."""
    request = context.get("request")
    return {"actions": actions_pour(request.user) if request else []}
