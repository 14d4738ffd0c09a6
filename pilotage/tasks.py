"""Background exports. Thin wrappers over pilotage.production; safe to run twice."""

from celery import shared_task

from . import production


@shared_task(name="pilotage.tasks.produire_export")
def produire_export(export_id):
    production.produire(export_id)


@shared_task(name="pilotage.tasks.purger_exports")
def purger_exports():
    return production.purger()
