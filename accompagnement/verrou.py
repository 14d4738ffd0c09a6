"""Optimistic locking shared by the services that edit a record the user had open in a form.

The row is locked (`select_for_update`) and its `version` compared with the one the form carried; the
change is then saved through `save()` rather than `QuerySet.update()` so that django-simple-history
records who changed what. Same guarantee as `filter(version=v).update(...)`: the second writer loses."""

from django.core.exceptions import ValidationError

MESSAGE_CONFLIT = (
    "Quelqu'un d'autre a modifié ce dossier pendant que vous écriviez. Vos saisies sont conservées "
    "ci-dessous : vérifiez la version actuelle puis enregistrez de nouveau."
)


class ConflitDeVersion(ValidationError):
    def __init__(self, message=MESSAGE_CONFLIT):
        super().__init__(message, code="conflit")


def verrouiller(instance, version):
    """The current row, locked for the transaction; raises ConflitDeVersion if it changed since `version`.
    A version that is not a number (a tampered form) is a conflict too, never an error 500."""
    courant = type(instance).objects.select_for_update().get(pk=instance.pk)
    if _en_entier(version) != courant.version:
        raise ConflitDeVersion()
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
