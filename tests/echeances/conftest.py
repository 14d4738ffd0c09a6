import contextlib
import datetime
import zoneinfo

import psycopg
import pytest
import time_machine

from tests.taches import broker_injoignable, worker  # noqa: F401 (fixtures)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def a_paris(jour, heure=10):
    """An aware datetime on a local day (entretiens are stored in UTC)."""
    return datetime.datetime.combine(jour, datetime.time(heure), tzinfo=PARIS)


@pytest.fixture
def voyager():
    """Freeze the clock on a day (time-machine) and return that day, to call the engine « today »."""
    travellers = []

    def _voyager(jour):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(a_paris(jour, 9), tick=False)
        traveller.start()
        travellers.append(traveller)
        return jour

    yield _voyager
    for traveller in travellers:
        traveller.stop()


@contextlib.contextmanager
def verrou_tenu():
    """Another worker holds the synchronisation lock: taken on a connection of its own (advisory locks are
    re-entrant within one session, so the test's connection cannot stand for the other worker). Yields
    `liberer`, which ends that worker's transaction."""
    from django.db import connection

    from echeances import services

    autre = psycopg.connect(**connection.get_connection_params())
    try:
        autre.execute("BEGIN")
        # Never waiting: a test whose own transaction synchronised already holds the lock until its end.
        pris = autre.execute("SELECT pg_try_advisory_xact_lock(%s)", [services.VERROU_SYNCHRO]).fetchone()[0]
        assert pris, "le verrou est déjà tenu par la transaction du test"
        yield autre.rollback
    finally:
        # A rollback waits for the server's answer, so the lock is free when it returns; a bare close()
        # does not wait, and the test's next try could still find the lock held (seen under load).
        autre.rollback()
        autre.close()
