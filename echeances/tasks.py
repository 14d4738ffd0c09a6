"""The morning job (synchronise the alerts with the engine, then prepare each user's digest) and the pass
that synchronises the measures written while the lock was taken. Thin wrappers over echeances.services."""

from celery import shared_task
from django.db import OperationalError

from config.celery import attente_avant_essai, mettre_en_file, retablir_connexion

from . import services, statistiques

# The lock is held for milliseconds by a synchronisation after a write and for about half a minute by
# the morning run: retried 8 times from 15 s (about 30 minutes in all), then the minute's pass takes over.
ESSAIS = 8
ATTENTE_DE_LA_PASSE = 5  # seconds a pass waits for the lock before handing its turn back to Celery


@shared_task(bind=True, acks_late=True, max_retries=ESSAIS)
def synchroniser_alertes(self):
    """A run that cannot take the lock, or loses its database connection, is retried with backoff: it
    never reports success without having synchronised, and the digests wait for it."""
    try:
        # Outside the run's transaction: a table the planner knows nothing of is analysed first.
        statistiques.analyser_jamais_analysees()
        bilan = services.synchroniser_alertes(attente=services.ATTENTE_DU_MATIN)
    except (services.SynchronisationOccupee, OperationalError) as exc:
        retablir_connexion()
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 15)) from exc
    # Measures written while this run held the lock are synchronised again after it.
    mettre_en_file(synchroniser_en_attente)
    mettre_en_file(preparer_digests)
    return bilan.__dict__


@shared_task(bind=True, acks_late=True, max_retries=ESSAIS)
def synchroniser_en_attente(self):
    try:
        return services.synchroniser_en_attente(attente=ATTENTE_DE_LA_PASSE)
    except (services.SynchronisationOccupee, OperationalError) as exc:
        retablir_connexion()
        if self.request.retries >= self.max_retries:
            return None  # still queued in the table: the next minute's pass picks it up
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 15)) from exc


@shared_task(bind=True, acks_late=True, max_retries=5)
def preparer_digests(self):
    """Records the day's digests (one per user and day) with their e-mails, sent by courriels.tasks."""
    try:
        return services.preparer_digests()
    except OperationalError as exc:
        retablir_connexion()
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 60)) from exc
