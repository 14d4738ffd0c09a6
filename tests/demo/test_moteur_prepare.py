"""The engine's statements prepared on the server (small sets) give the same échéances as planned each
time (large sets) and as the whole-base path, on the demo, where every rule has an example."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accompagnement.models import Accompagnement
from echeances import base
from echeances.moteur import calculer

from .outils import mesures_demo

pytestmark = pytest.mark.usefixtures("base_demo")


def _prepares():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%regle AS%%'")
        return cursor.fetchone()[0]


def _comparable(echeances):
    return [
        (e.cle, e.accompagnement_id, e.regle, e.due_le, e.etat, e.message, e.destinataires, e.details)
        for e in echeances
    ]


def test_memes_echeances_preparees_ou_non(monkeypatch):
    le = timezone.localdate()
    ids = list(mesures_demo().values_list("pk", flat=True))
    base_entiere = _comparable(calculer(Accompagnement.objects.all(), le=le))
    assert len({e[1] for e in base_entiere}) >= 10  # the demo shows every rule

    monkeypatch.setattr(base, "PREPARER_JUSQU_A", 0)
    avant = _prepares()
    assert _comparable(calculer(ids, le=le)) == base_entiere
    assert _prepares() == avant  # a large set: planned each time

    monkeypatch.setattr(base, "PREPARER_JUSQU_A", len(ids))
    assert _comparable(calculer(ids, le=le)) == base_entiere
    assert _prepares() > avant
    # Again on the same connection (the prepared statements now in use), on one measure then on all.
    un = ids[:1]
    with CaptureQueriesContext(connection) as requetes:
        prepare = _comparable(calculer(un, le=le))
    # Logged as Django logs any query (debug toolbar, the tests' pins, the benches).
    assert sum("regle AS" in q["sql"] for q in requetes.captured_queries) >= 10
    assert prepare and _comparable(calculer(ids, le=le)) == base_entiere
    monkeypatch.setattr(base, "PREPARER_JUSQU_A", 0)
    assert _comparable(calculer(un, le=le)) == prepare
