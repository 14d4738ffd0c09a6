"""The Celery application, and the one way the code puts work on the queue (docs/faults.md)."""

import logging
import os
import random
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def mettre_en_file(tache, *args, countdown=None):
    """Send a task; False when the broker cannot be reached (logged). Every caller has saved the work in a
    row first and a periodic task sends again what was saved but not queued: a broker outage delays the
    work, it never loses it nor turns the user's saved action into an error page.

    `tache` is a task or its name ("courriels.tasks.envoyer"): a service names the task that carries
    its work out instead of importing the tasks module, which imports the service."""
    nom = getattr(tache, "name", tache)
    try:
        # The registered task when this process has imported it (the worker), else sent by name.
        app.signature(nom, args=args).apply_async(countdown=countdown)
    except Exception:  # kombu's OperationalError, a refused or timed-out socket: the row stays to be sent
        logger.exception("File de tâches injoignable : %s%r sera relancée par le passage périodique", nom, args)
        return False
    return True


def mettre_en_file_les(tache, modele, pks):
    """Queue `tache(pk)` for each row of `modele` (after the commit that saved them) and record when on the
    row (`mis_en_file_le`); returns how many were queued. At the first refusal of the broker the rest is
    left to the minute's pass (`a_remettre_en_file`): a thousand rows must not each wait for a refused
    connection."""
    from django.utils import timezone

    confies = []
    for pk in pks:
        if not mettre_en_file(tache, pk):
            break
        confies.append(pk)
    modele.objects.filter(pk__in=confies).update(mis_en_file_le=timezone.now())
    return len(confies)


def attente_avant_essai(essai, base, plafond=10 * 60):
    """Exponential backoff with full jitter (base × 2^essai, drawn in [base/2, that]), below the
    visibility timeout of the broker (settings.CELERY_BROKER_TRANSPORT_OPTIONS)."""
    haut = min(plafond, base * 2**essai)
    return round(random.uniform(haut / 2, haut), 1)  # noqa: S311 - spreading retries, not a secret


def retablir_connexion():
    """After a database error: a connection the server dropped (restart, failover) is closed, so that the
    next query opens a new one and the failure itself can be recorded. A live connection, or one inside a
    transaction (its owner rolls back), is left alone."""
    from django.db import connections

    for connexion in connections.all(initialized_only=True):
        if connexion.connection is not None and not connexion.in_atomic_block and not connexion.is_usable():
            connexion.close()


# --- claims: a row of work is taken by one worker only (compare-and-set, as healthchecks' sendalerts) ---


def moi():
    """Who claims: the machine and the process (a pool child of the worker)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _disparu(pris_par):
    """The claimant was a process of this machine that no longer exists (a killed pool child, a worker
    killed then restarted). A process elsewhere, or a recycled pid, counts as alive: then only the
    deadline frees the claim, never two holders at once."""
    hote, _sep, pid = (pris_par or "").rpartition(":")
    if hote != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed pool child whose parent died too may linger as a zombie until someone reaps it
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False


def reclamer(queryset, *, libre, en_cours, delai=None, **valeurs):
    """Move the one row of `queryset` from the state `libre` to `en_cours`, recording the claimant and
    the time, by compare-and-set: of two workers given the same message, one wins, the other gets False.
    With `delai`, a claim older than that (Celery has killed its task by then: CELERY_TASK_TIME_LIMIT), or
    held by a process of this machine that died, may be taken over; without, an abandoned claim stays
    (at most once: an e-mail whose sending was interrupted is never sent again)."""
    from django.utils import timezone

    ligne = queryset.values("etat", "pris_par", "pris_le").first()
    if ligne is None:
        return False
    maintenant = timezone.now()
    if ligne["etat"] == libre:
        avant = {"etat": libre}
    elif (
        ligne["etat"] == en_cours
        and delai is not None
        and (ligne["pris_le"] is None or ligne["pris_le"] < maintenant - delai or _disparu(ligne["pris_par"]))
    ):
        avant = {"etat": en_cours, "pris_par": ligne["pris_par"], "pris_le": ligne["pris_le"]}
    else:
        return False
    return queryset.filter(**avant).update(etat=en_cours, pris_par=moi(), pris_le=maintenant, **valeurs) == 1


def a_remettre_en_file(queryset, maintenant, jamais_envoye_depuis=60):
    """Rows of `queryset` (waiting ones) saved but never queued (the broker was down), or queued longer ago
    than the visibility timeout (after which even a killed worker's message is delivered again): that
    message was lost (Redis restarted without its data). A duplicate message is harmless: `reclamer`."""
    import datetime

    from django.conf import settings
    from django.db.models import Q

    perte = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    return queryset.filter(
        Q(mis_en_file_le__isnull=True, cree_le__lt=maintenant - datetime.timedelta(seconds=jamais_envoye_depuis))
        | Q(mis_en_file_le__lt=maintenant - datetime.timedelta(seconds=perte))
    )
