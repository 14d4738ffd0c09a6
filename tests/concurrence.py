"""Two requests racing, for real: two threads, two PostgreSQL connections (tests marked
`django_db(transaction=True)`, so that each sees what the other commits)."""

import threading
import time

from django.db import connection, connections, transaction

ATTENTE_MAX = 10  # seconds: only reached when the second writer is NOT held back by the first


def _en_attente_d_un_verrou():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def course(premier, second):
    """`premier` runs in a transaction left open until `second`, started meanwhile in another thread, waits
    on a lock the first holds (or has ended); then the first commits. Returns both results (an exception
    is returned, not raised)."""
    resultats = {}

    def lancer(nom, fonction):
        try:
            resultats[nom] = fonction()
        except Exception as exc:  # noqa: BLE001 (the test reads it)
            resultats[nom] = exc
        finally:
            if nom == "second":
                connections.close_all()

    with transaction.atomic():
        lancer("premier", premier)
        fil = threading.Thread(target=lancer, args=("second", second))
        fil.start()
        limite = time.monotonic() + ATTENTE_MAX
        while fil.is_alive() and not _en_attente_d_un_verrou() and time.monotonic() < limite:
            time.sleep(0.02)
    fil.join()
    return resultats["premier"], resultats["second"]
