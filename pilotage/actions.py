"""The actions a committee asked of a référent, for their « À faire » list."""

from django.urls import reverse

from .models import DecisionComite


def actions_pour(user):
    """Pending actions about the user's own people: [{libelle, resident, due_le, url, decision}]."""
    if not user.is_authenticated:
        return []
    decisions = (
        DecisionComite.objects.visibles_par(user)
        .actions_en_attente()
        .filter(accompagnement__referent=user)
        .select_related("accompagnement__resident", "comite")
        .order_by("action_due_le", "pk")
    )
    return [
        {
            "libelle": d.action,
            "resident": d.accompagnement.resident,
            "due_le": d.action_due_le,
            "url": reverse("pilotage:comite", args=[d.comite_id]) + f"#mesure-{d.accompagnement_id}",
            "decision": d,
        }
        for d in decisions
    ]
