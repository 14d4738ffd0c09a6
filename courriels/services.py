"""E-mails: recorded with the action they announce, sent after its commit by a task, at most once.

The SMTP server may be down, slow, or refuse a message: the action is saved all the same, the e-mail is
retried with backoff (courriels.tasks.envoyer) and, after its last try, shown « non envoyé » to the
administrator (admin « Courriels »). A worker killed while sending leaves the row « envoi en cours »:
after the deadline it is shown « non envoyé » too, and never sent again (it may have left)."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.celery import a_remettre_en_file, mettre_en_file_les, reclamer

from .models import Courriel

logger = logging.getLogger(__name__)

# A claim this old was interrupted: Celery kills a task at CELERY_TASK_TIME_LIMIT.
DELAI_ENVOI = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


class EnvoiImpossible(Exception):
    """The SMTP server refused or could not be reached; the e-mail waits for its next try."""


def enregistrer(*, destinataires, sujet, corps):
    """Record one e-mail in the current transaction; it is handed to a worker once that commits."""
    return enregistrer_tous([Courriel(destinataires=list(destinataires), sujet=sujet, corps=corps)])[0]


def enregistrer_tous(courriels):
    courriels = Courriel.objects.bulk_create(courriels)
    pks = [c.pk for c in courriels]
    transaction.on_commit(lambda: confier(pks))
    return courriels


def confier(pks):
    """Queue the sending of these e-mails (what the broker refuses waits for `relancer`)."""
    return mettre_en_file_les("courriels.tasks.envoyer", Courriel, pks)


def envoyer(courriel_id, connexion=None):
    """Send one e-mail at most once: claimed by compare-and-set, sent, marked sent (its text is then
    erased: the people's data stay in the application only). False when it was not this call's to send
    (sent already, being sent, given up). Raises EnvoiImpossible, the e-mail back to wait, when the SMTP
    server refused it."""
    lignes = Courriel.objects.filter(pk=courriel_id)
    if not reclamer(lignes, libre=Courriel.Etat.EN_ATTENTE, en_cours=Courriel.Etat.EN_COURS):
        return False
    courriel = lignes.get()
    message = EmailMessage(subject=courriel.sujet, body=courriel.corps, to=courriel.destinataires, connection=connexion)
    try:
        message.send()
    except Exception as exc:  # smtplib's errors, a refused socket, a timeout: all mean « try again later »
        erreur = f"Le serveur de courriel n'a pas accepté l'envoi ({type(exc).__name__} : {exc})"[:500]
        lignes.filter(etat=Courriel.Etat.EN_COURS).update(
            etat=Courriel.Etat.EN_ATTENTE, tentatives=F("tentatives") + 1, erreur=erreur, pris_par="", pris_le=None
        )
        raise EnvoiImpossible(erreur) from exc
    lignes.filter(etat=Courriel.Etat.EN_COURS).update(
        etat=Courriel.Etat.ENVOYE, envoye_le=timezone.now(), corps="", erreur="", tentatives=F("tentatives") + 1
    )
    return True


def reessayer_dans(courriel_id, secondes):
    """The task will try again in `secondes`: the minute's pass leaves it alone until then."""
    quand = timezone.now() + datetime.timedelta(seconds=secondes)
    Courriel.objects.filter(pk=courriel_id, etat=Courriel.Etat.EN_ATTENTE).update(mis_en_file_le=quand)


def abandonner(courriel_id):
    """After its last try: « non envoyé », for the administrator to see (and send again if they wish)."""
    Courriel.objects.filter(pk=courriel_id, etat=Courriel.Etat.EN_ATTENTE).update(etat=Courriel.Etat.ECHEC)


def relancer(maintenant=None):
    """The minute's pass: queue what was saved but not queued, and give up on sendings interrupted
    beyond the deadline (never sent again: at most once). Returns (queued, given up)."""
    maintenant = maintenant or timezone.now()
    interrompus = Courriel.objects.filter(etat=Courriel.Etat.EN_COURS, pris_le__lt=maintenant - DELAI_ENVOI).update(
        etat=Courriel.Etat.ECHEC,
        erreur="Envoi interrompu avant d'être confirmé (tâche arrêtée) : le courriel a peut-être été reçu, "
        "il n'est pas renvoyé automatiquement.",
    )
    en_attente = a_remettre_en_file(Courriel.objects.filter(etat=Courriel.Etat.EN_ATTENTE), maintenant)
    return confier(list(en_attente.order_by("pk").values_list("pk", flat=True))), interrompus


def envoyer_en_attente():
    """Send every waiting e-mail from this process over one SMTP connection (the benchmark, a manual
    catch-up); each is still claimed, so running it beside the workers sends nothing twice."""
    envoyes = 0
    with get_connection() as connexion:
        for pk in Courriel.objects.filter(etat=Courriel.Etat.EN_ATTENTE).order_by("pk").values_list("pk", flat=True):
            envoyes += envoyer(pk, connexion=connexion)
    return envoyes
