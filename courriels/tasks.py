"""Sending the recorded e-mails. Thin wrappers over courriels.services; safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from config.celery import attente_avant_essai, retablir_connexion

from . import services

# From 30 s, doubling up to 10 minutes: about 25 minutes of SMTP outage are bridged before « non envoyé ».
ESSAIS = 6


@shared_task(bind=True, acks_late=True, max_retries=ESSAIS)
def envoyer(self, courriel_id):
    try:
        services.envoyer(courriel_id)
    except services.EnvoiImpossible as exc:
        if self.request.retries >= self.max_retries:
            services.abandonner(courriel_id)
            return
        attente = attente_avant_essai(self.request.retries, 30)
        services.reessayer_dans(courriel_id, attente)
        raise self.retry(exc=exc, countdown=attente) from exc
    except DatabaseError as exc:  # the database went away: reconnect, the claim tells what is left to do
        retablir_connexion()
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 30)) from exc


@shared_task
def relancer():
    return services.relancer()
