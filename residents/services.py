"""Creating and editing a person's file. Edits carry the version the form was rendered from, so
two people editing the same dossier never overwrite each other silently."""

from django.db import transaction

from accompagnement.jeton import enregistrer_une_fois
from accompagnement.verrou import enregistrer_version, verrouiller
from accounts.acces import exiger_equipe

from .models import Resident


@transaction.atomic
def creer_resident(*, par, structure, jeton=None, **champs):
    """A new person, once per form (`jeton`): a second submit returns the first."""
    exiger_equipe(par, structure)
    resident = Resident(structure=structure, jeton=jeton, **champs)
    return enregistrer_une_fois(resident, exclure=["nom_recherche"])[0]


@transaction.atomic
def modifier_resident(*, resident, par, version, **champs):
    exiger_equipe(par, resident.structure)
    courant = verrouiller(resident, version)
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["nom_recherche"])
    return enregistrer_version(courant)
