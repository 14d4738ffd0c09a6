"""Writing and purging the access log."""

import contextlib
import ipaddress

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import Func, IntegerField, Subquery
from django.utils import timezone

from referentiel.regles import parametre_delta

from .models import Action, JournalAcces


def adresse_client(request):
    """The client's address (access log, django-axes' lock-out): REMOTE_ADDR, or, behind
    settings.REVERSE_PROXY_COUNT reverse proxies that each append the address they saw to X-Forwarded-For,
    the entry that many places from the right. What the client wrote in the header itself stays on the
    left and is never believed; a missing or malformed entry falls back to REMOTE_ADDR."""
    distante = request.META.get("REMOTE_ADDR") or None
    proxys = settings.REVERSE_PROXY_COUNT
    if proxys <= 0:
        return distante
    adresses = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(adresses) < proxys:
        return distante
    try:
        return str(ipaddress.ip_address(adresses[-proxys]))
    except ValueError:
        return distante


def _ip(request):
    return adresse_client(request) if request is not None else None


def _structures_de(user):
    """The user's structures, read by the INSERT itself (no extra query on every page)."""
    from accounts.models import User

    ids = User.structures.through.objects.filter(user_id=user.pk).values("structure_id")
    return Func(Subquery(ids), function="ARRAY", output_field=ArrayField(IntegerField()))


# The line of a read (a page of a file, a print) is committed without waiting for the disk's flush
# (synchronous_commit off for its own transaction): that flush took 1–2 ms on an idle machine, many more
# when the disk is busy, on every page of a file, while the user waits. What it risks: if the database
# server itself crashes, the lines of its last fraction of a second (at most 3 × wal_writer_delay, 0.6 s by
# default), never a partial line. A change, an export or a share is committed durably, as before.
LECTURES = {Action.CONSULTATION, Action.IMPRESSION}


@contextlib.contextmanager
def ecriture_du_journal(action):
    """Where a line of the log is written: a read's in its own transaction without waiting for the disk
    (LECTURES), anything else as the caller's transaction commits it. For tracer() and the API's log."""
    if action in LECTURES and not connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
    else:
        yield


def tracer(request, action, *, objet=None, type_objet="", objet_id=None, resident=None, user=None, page="", detail=""):
    """One line of the log, in one INSERT (a read's without waiting for the disk: LECTURES). `resident` is
    a Resident, an id, or a subquery giving the id (so the middleware needs no lookup of its own)."""
    user = user or request.user
    if objet is not None:
        type_objet = type_objet or objet._meta.model_name
        objet_id = objet.pk if objet_id is None else objet_id
    if resident is not None and hasattr(resident, "pk"):
        resident = resident.pk
    if not page and request is not None and getattr(request, "resolver_match", None):
        page = request.resolver_match.view_name or ""
    ligne = JournalAcces(
        user_id=user.pk,
        identifiant=user.get_username(),
        role=user.role,
        structures=_structures_de(user),
        action=action,
        type_objet=type_objet,
        objet_id=objet_id,
        resident_id=resident,
        page=page[:100],
        ip=_ip(request),
        detail=detail[:250],
    )
    with ecriture_du_journal(action):
        ligne.save(force_insert=True)
    return ligne


def tracer_partage(*, resident, tiers, categories=(), quoi="", request=None, par=None, objet=None):
    """A share with a partner is named and dated: to whom (`tiers`), what (the consent `categories` or
    `quoi`). A partner reading a file passes its request; a service (a synthèse sent, a hand-over) passes
    `par`, the user who shared, and the shared `objet`."""
    from residents.models import Consentement

    quoi = quoi or ", ".join(str(Consentement.Categorie(c).label) for c in categories)
    return tracer(
        request, Action.PARTAGE, objet=objet or resident, resident=resident, user=par, detail=f"{tiers} : {quoi}"
    )


def limite_conservation(le=None):
    """Rows strictly older than this moment are past the retention period (CONSERVATION_JOURNAL)."""
    le = le or timezone.now()
    return le - parametre_delta("CONSERVATION_JOURNAL")


@transaction.atomic
def purger(*, le=None):
    """Delete the rows past the retention period. The trigger lets a DELETE through only while the
    transaction-local flag `journal.purge` is set, and only for rows that are old enough."""
    limite = limite_conservation(le)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('journal.purge', %s, true)", [limite.isoformat()])
    supprimees, _ = JournalAcces.objects.filter(horodatage__lt=limite).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('journal.purge', '', true)")
    return supprimees
