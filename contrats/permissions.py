"""Who may do what on a contract (domain.md §1, §5, §8). Seeing a contract is decided by the scoped
queryset (`Contrat.objects.visibles_par`); these checks decide acting on it."""

from accounts.models import Role
from referentiel.models import TypeContrat

from .models import Partie


def est_de_la_structure(user, contrat):
    return (
        user.role in (Role.REFERENT, Role.RESPONSABLE)
        and user.structures.filter(pk=contrat.accompagnement.structure_id).exists()
    )


def peut_rediger(user, contrat_ou_accompagnement):
    """The measure's référent, a team co-referent in place today, or the structure's manager; not any
    colleague."""
    acc = getattr(contrat_ou_accompagnement, "accompagnement", contrat_ou_accompagnement)
    if user.role not in (Role.REFERENT, Role.RESPONSABLE):
        return False
    if not user.structures.filter(pk=acc.structure_id).exists():
        return acc.coreferents.en_cours().filter(user=user).exists()
    return (
        user.role == Role.RESPONSABLE
        or acc.referent_id == user.pk
        or acc.coreferents.en_cours().filter(user=user).exists()
    )


def peut_signer(user, contrat, partie):
    acc = contrat.accompagnement
    if partie == Partie.REFERENT:
        return acc.referent_id == user.pk
    if partie == Partie.RESPONSABLE:
        return user.role == Role.RESPONSABLE and user.structures.filter(pk=acc.structure_id).exists()
    # The person, the conjoint and the partner sign in the presence of the team (or on paper).
    return peut_rediger(user, contrat)


def peut_valider(user, contrat):
    return (
        user.role == Role.DELEGUE
        and contrat.a_valider
        and user.territoires.filter(pk=contrat.accompagnement.structure.territoire_id).exists()
    )


def peut_rompre(user, contrat):
    # The end of an FJT stay under convention is decided by the residence's manager (with the tiers).
    if contrat.type == TypeContrat.TRIPARTITE:
        return user.role == Role.RESPONSABLE and est_de_la_structure(user, contrat)
    return peut_rediger(user, contrat)
