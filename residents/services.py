"""Creating and editing a person's file. Edits carry the version the form was rendered from, so
two people editing the same dossier never overwrite each other silently."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accompagnement.models import structures_de
from accompagnement.verrou import enregistrer_version, verrouiller
from accounts.models import Role

from .models import Resident


def exiger_equipe(par, structure):
    if par.is_administrateur:
        return
    if par.role not in (Role.REFERENT, Role.RESPONSABLE) or structure.pk not in structures_de(par):
        raise PermissionDenied("Seule l'équipe de la structure peut modifier ce dossier.")


@transaction.atomic
def creer_resident(*, par, structure, **champs):
    exiger_equipe(par, structure)
    resident = Resident(structure=structure, **champs)
    resident.full_clean(exclude=["nom_recherche"])
    resident.save()
    return resident


@transaction.atomic
def modifier_resident(*, resident, par, version, **champs):
    exiger_equipe(par, resident.structure)
    courant = verrouiller(resident, version)
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["nom_recherche"])
    return enregistrer_version(courant)
