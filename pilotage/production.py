"""Producing an export file and purging the expired ones."""

import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .exports import ECRIVAINS, contenu
from .models import Export

logger = logging.getLogger(__name__)


def produire(export_id):
    """Claim the export (a second worker or a redelivery finds it taken or done), write the file while
    storing the progress on the row, then mark it ready. The rows are computed with the requesting
    user's own visibility at production time."""
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(skip_locked=True)
            .filter(pk=export_id, etat__in=[Export.Etat.EN_ATTENTE, Export.Etat.EN_COURS])
            .select_related("utilisateur")
            .first()
        )
        if export is None:
            return None
        export.etat = Export.Etat.EN_COURS
        export.progression = 0
        export.save(update_fields=["etat", "progression"])
    try:
        donnees = contenu(export.type, export.utilisateur, export.parametres)
        total = max(donnees.total, 1)

        def progression(n):
            Export.objects.filter(pk=export.pk).update(progression=min(99, 100 * n // total), lignes=n)

        with tempfile.TemporaryFile() as flux:
            n = ECRIVAINS[export.format](flux, donnees, progression)
            flux.seek(0)
            export.fichier.save(export.nom_fichier, File(flux), save=False)
        export.etat = Export.Etat.PRET
        export.progression = 100
        export.lignes = n
        export.save(update_fields=["etat", "progression", "lignes", "fichier"])
    except Exception as exc:  # the row must say « échec » whatever went wrong
        logger.exception("Échec de l'export %s", export_id)
        Export.objects.filter(pk=export.pk).update(etat=Export.Etat.ECHEC, erreur=str(exc)[:500])
        return None
    return export


def purger(maintenant=None):
    """Delete the files of expired exports and mark them expired; returns how many."""
    maintenant = maintenant or timezone.now()
    n = 0
    for export in Export.objects.filter(expire_le__lte=maintenant).exclude(etat=Export.Etat.EXPIRE):
        if export.fichier:
            export.fichier.delete(save=False)
        export.etat = Export.Etat.EXPIRE
        export.save(update_fields=["etat", "fichier"])
        n += 1
    return n
