"""Background exports. Thin wrappers over pilotage.production; safe to run twice."""

from celery import shared_task

from . import production


# The outcome lives on the Export row: nothing to store in the result backend.
@shared_task(name="pilotage.tasks.produire_export", ignore_result=True)
def produire_export(export_id):
    production.produire(export_id)


@shared_task(name="pilotage.tasks.purger_exports", ignore_result=True)
def purger_exports():
    return production.purger()
