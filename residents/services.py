"""Creating and editing a person's file. Edits carry the version the form was rendered from, so
two people editing the same dossier never overwrite each other silently."""

from django.db import transaction

from accompagnement.verrou import enregistrer_version, verrouiller
from accounts.acces import exiger_equipe

from .models import Resident


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
