"""The one optimistic lock, shared by every service that edits a record the user had open in a form
(person, measure, entretien, objective, application, synthèse, contract, alert, report, committee).

The form carries the `version` it was rendered from; the service locks the row (`select_for_update`) and
compares. A missing or unreadable version is a conflict as well: a form without its version is stale or
tampered with, and the safe reading is that someone may have changed the record since (never an error
500, never a silent overwrite). A service that acts without a form (one service calling another) passes
the version of the row it holds: there is no call without a version.

The change is then saved through `save()` rather than `QuerySet.update()` so that django-simple-history
records who changed what. Same guarantee as `filter(version=v).update(...)`: the second writer loses."""

from django.core.exceptions import ValidationError

MESSAGE_CONFLIT = (
    "Ce dossier a été modifié entre-temps (par quelqu'un d'autre, ou par un envoi précédent de ce formulaire) : "
    "vérifiez la version actuelle avant d'enregistrer de nouveau."
)


class ConflitDeVersion(ValidationError):
    def __init__(self):
        super().__init__(MESSAGE_CONFLIT, code="conflit")


def verifier_version(courant, version):
    """Raises ConflitDeVersion unless `version` (what the form carried) is the row's current one."""
    if _en_entier(version) != courant.version:
        raise ConflitDeVersion()


def verrouiller(instance, version):
    """The current row, locked for the transaction; raises ConflitDeVersion if it changed since `version`."""
    courant = type(instance).objects.select_for_update().get(pk=instance.pk)
    verifier_version(courant, version)
    return courant


def _en_entier(version):
    if isinstance(version, bool):
        return None
    try:
        return int(version)
    except (TypeError, ValueError, OverflowError):
        return None


def enregistrer_version(instance, **champs):
    """Apply the fields, bump the version and save (history included)."""
    for nom, valeur in champs.items():
        setattr(instance, nom, valeur)
    instance.version += 1
    instance.save()
    return instance
