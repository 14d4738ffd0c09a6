"""Background exports. Thin wrappers over pilotage.production; safe to run twice (the export is claimed)."""

from celery import shared_task

from config.celery import attente_avant_essai

from . import production


@shared_task(name="pilotage.tasks.produire_export", bind=True, acks_late=True, max_retries=production.ESSAIS)
def produire_export(self, export_id):
    try:
        production.produire(export_id)
    except production.ConnexionPerdue as exc:  # reconnected already; the export waits for this retry
        attente = attente_avant_essai(self.request.retries, 10)
        production.reessayer_dans(export_id, attente)
        raise self.retry(exc=exc, countdown=attente) from exc


@shared_task(name="pilotage.tasks.relancer_exports")
def relancer_exports():
    return production.relancer()


@shared_task(name="pilotage.tasks.purger_exports")
def purger_exports():
    return production.purger()
