from celery import shared_task

from . import retention


@shared_task(ignore_result=True)
def appliquer_retention():
    """Daily: anonymise the files past CONSERVATION_DOSSIER (the manager read the dry run on screen)."""
    return retention.appliquer()
