"""Producing an export file in the background, and the passes that keep exports moving (docs/faults.md):
what was saved but not queued is queued, what was interrupted is taken up again, what expired is purged."""

import datetime
import logging
import tempfile

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from config.celery import a_remettre_en_file, mettre_en_file_les, reclamer, retablir_connexion

from .exports import ECRIVAINS, contenu
from .models import Export

logger = logging.getLogger(__name__)

# A claim this old was interrupted (Celery kills a task at CELERY_TASK_TIME_LIMIT): it may be taken over.
DELAI_PRODUCTION = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
# Productions begun (killed worker, lost database…) before the export is failed rather than tried again.
ESSAIS = 5
INTERROMPU = (
    "La préparation de cet export a été interrompue plusieurs fois (serveur arrêté ou redémarré) : "
    "demandez un nouvel export ; si cela se répète, prévenez l'administrateur."
)


class ConnexionPerdue(Exception):
    """The database went away during the production: the claim is given back, the task tries again."""


def confier(exports):
    """Queue the production of these exports (after the commit that saved them); returns how many were
    queued. When the broker refuses, the rest waits for the minute's pass (`relancer`)."""
    return mettre_en_file_les("pilotage.tasks.produire_export", Export, [export.pk for export in exports])


def produire(export_id):
    """Claim the export by compare-and-set (« en attente » → « en cours », once, recording the process and
    the time: a second delivery of the message finds it taken or done), write the file while storing the
    progress, then mark it ready only if the claim is still this one's, otherwise delete the file: one
    file per export, never a file without its row. The rows are computed with the requesting user's own
    visibility at production time. Raises ConnexionPerdue when the database went away (retry)."""
    lignes = Export.objects.filter(pk=export_id)
    pris = reclamer(
        lignes,
        libre=Export.Etat.EN_ATTENTE,
        en_cours=Export.Etat.EN_COURS,
        delai=DELAI_PRODUCTION,
        progression=0,
        lignes=0,
        tentatives=F("tentatives") + 1,
    )
    if not pris:
        return None
    export = lignes.select_related("utilisateur").get()
    la_mienne = lignes.filter(etat=Export.Etat.EN_COURS, pris_par=export.pris_par, pris_le=export.pris_le)
    if export.tentatives > ESSAIS:
        la_mienne.update(etat=Export.Etat.ECHEC, erreur=INTERROMPU)
        return None
    nom = None
    try:
        donnees = contenu(export.type, export.utilisateur, export.parametres)
        total = max(donnees.total, 1)

        def progression(n):
            lignes.update(progression=min(99, 100 * n // total), lignes=n)

        with tempfile.TemporaryFile() as flux:
            n = ECRIVAINS[export.format](flux, donnees, progression)
            flux.seek(0)
            # Stored under the export's number: which export a file belongs to is read from its name.
            nom = default_storage.save(
                export.fichier.field.generate_filename(export, f"{export.pk}-{export.nom_fichier}"), File(flux)
            )
        if not la_mienne.update(etat=Export.Etat.PRET, progression=100, lignes=n, fichier=nom):
            default_storage.delete(nom)  # taken over meanwhile: the other production's file is the one
            return None
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Export %s : connexion à la base perdue, nouvel essai", export_id, exc_info=True)
        _abandonner(nom, la_mienne, etat=Export.Etat.EN_ATTENTE, pris_par="", pris_le=None)
        raise ConnexionPerdue from exc
    except Exception as exc:  # the row must say « échec », in French, whatever went wrong
        logger.exception("Échec de l'export %s", export_id)
        _abandonner(nom, la_mienne, etat=Export.Etat.ECHEC, erreur=_en_clair(exc))
        return None
    return lignes.get()


def _abandonner(nom, la_mienne, **valeurs):
    """After a failure: reconnect if the server dropped the connection, remove the file if one was
    written, and record the outcome on the row if the claim is still this one's. If the database is
    still away, the claim stays and the minute's pass takes it back after the deadline."""
    retablir_connexion()
    if nom:
        default_storage.delete(nom)
    try:
        la_mienne.update(**valeurs)
    except DatabaseError:
        logger.warning("Export : état non enregistré, la base ne répond pas", exc_info=True)
        retablir_connexion()


def _en_clair(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return "Vous n'avez plus accès à ces données : l'export n'a pas été produit."
    if isinstance(exc, SoftTimeLimitExceeded):
        return "L'export a dépassé la durée maximale de préparation : réduisez-le (une année, une structure)."
    return "Erreur inattendue pendant la préparation du fichier : l'administrateur la trouvera dans le journal."


def reessayer_dans(export_id, secondes):
    """The task will try again in `secondes`: the minute's pass leaves the export alone until then."""
    quand = timezone.now() + datetime.timedelta(seconds=secondes)
    try:
        Export.objects.filter(pk=export_id, etat=Export.Etat.EN_ATTENTE).update(mis_en_file_le=quand)
    except DatabaseError:
        retablir_connexion()


def relancer(maintenant=None):
    """The minute's pass. A production interrupted beyond the deadline (its claim still « en cours ») is
    given back to wait, or failed with a French message after ESSAIS tries; what waits without having
    been queued (the broker was down), or whose message was lost, is queued. Returns how many queued."""
    maintenant = maintenant or timezone.now()
    perimees = Export.objects.filter(etat=Export.Etat.EN_COURS, pris_le__lt=maintenant - DELAI_PRODUCTION)
    perimees.filter(tentatives__gte=ESSAIS).update(etat=Export.Etat.ECHEC, erreur=INTERROMPU)
    rendues = list(perimees.values_list("pk", flat=True))
    perimees.filter(pk__in=rendues).update(etat=Export.Etat.EN_ATTENTE, pris_par="", pris_le=None, mis_en_file_le=None)
    en_attente = Export.objects.filter(etat=Export.Etat.EN_ATTENTE)
    a_confier = a_remettre_en_file(en_attente, maintenant) | en_attente.filter(pk__in=rendues, mis_en_file_le=None)
    return confier(list(a_confier.order_by("pk")))


def purger(maintenant=None):
    """Delete the files of expired exports and mark them expired, and the files no export points to (a
    production killed between writing its file and recording it, an export deleted with its user);
    returns how many exports expired."""
    maintenant = maintenant or timezone.now()
    n = 0
    for export in Export.objects.filter(expire_le__lte=maintenant).exclude(etat=Export.Etat.EXPIRE):
        if export.fichier:
            export.fichier.delete(save=False)
        export.etat = Export.Etat.EXPIRE
        export.save(update_fields=["etat", "fichier"])
        n += 1
    _purger_orphelins(maintenant)
    return n


def _purger_orphelins(maintenant):
    dossier = Export._meta.get_field("fichier").upload_to.rstrip("/")
    try:
        _dossiers, fichiers = default_storage.listdir(dossier)
    except FileNotFoundError:
        return 0
    connus = set(Export.objects.exclude(fichier="").values_list("fichier", flat=True))
    n = 0
    for fichier in fichiers:
        nom = f"{dossier}/{fichier}"
        # A file younger than the deadline may belong to a production about to record it.
        if nom not in connus and default_storage.get_modified_time(nom) < maintenant - DELAI_PRODUCTION:
            default_storage.delete(nom)
            n += 1
    return n
