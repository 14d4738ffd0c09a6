"""The dossier's « Orientation RSA » section: the person's decisions and réorientation requests."""

from django import template

from accounts import acces

from ..models import DecisionOrientation, DemandeReorientation

register = template.Library()


@register.simple_tag
def orientation_du_dossier(resident, accompagnements, user):
    """What the section shows (two queries; none for a person outside the RSA)."""
    if not resident.est_allocataire_rsa:
        return None
    decisions = list(
        DecisionOrientation.objects.visibles_par(user)
        .filter(resident=resident)
        .select_related("modalite", "structure", "accompagnement__referent")[:10]
    )
    demandes = list(
        DemandeReorientation.objects.visibles_par(user)
        .filter(accompagnement__in=[m.pk for m in accompagnements])
        .select_related("modalite")[:10]
    )
    en_vigueur = decisions[0] if decisions else None
    return {
        "decisions": decisions,
        "demandes": demandes,
        "oriente": acces.peut_orienter(user, resident.structure.territoire_id),
        "affecte": en_vigueur is not None
        and en_vigueur.accompagnement_id is None
        and acces.peut_affecter(user, en_vigueur),
        "en_vigueur": en_vigueur,
    }
