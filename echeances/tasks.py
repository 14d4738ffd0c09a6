"""The morning job: synchronise the alerts with the engine, then send each user's digest."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=5,
)
def synchroniser_alertes():
    bilan = services.synchroniser_alertes()
    envoyer_digests.delay()
    return bilan.__dict__


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def envoyer_digests():
    return services.envoyer_digests()
