from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def purger_journal():
    """Daily: drop access-log rows older than CONSERVATION_JOURNAL. Idempotent."""
    return services.purger()
