"""A large export through the real Celery worker (Redis broker), with its progress and download."""

import datetime
import io
import threading
import time

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilotage import exports, production
from pilotage.models import Export
from tests.accounts.factories import MOT_DE_PASSE
from tests.pilotage.conftest import SOCIOPRO, mesure


# Transactional (the worker thread reads what the test wrote); serialized rollback gives the
# référentiel back to the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_par_le_worker_celery(client, monde, worker, monkeypatch):
    for _ in range(5):
        mesure(monde["referent"], SOCIOPRO, datetime.date(2025, 1, 1))
    mesure(monde["etranger"], SOCIOPRO, datetime.date(2025, 1, 1))
    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 2)
    monkeypatch.setattr(exports, "TAILLE_LOT", 2)  # progress is stored every 2 rows
    # The worker stops before its third row, once the progress of the first two is stored, until
    # the test has seen that intermediate state.
    vu = threading.Event()
    contenu = production.contenu

    def contenu_retenu(*args):
        donnees = contenu(*args)
        lignes = donnees.lignes

        def retenues():
            for n, ligne in enumerate(lignes, 1):
                if n == 3:
                    vu.wait(30)
                yield ligne

        donnees.lignes = retenues()
        return donnees

    monkeypatch.setattr(production, "contenu", contenu_retenu)
    client.login(username=monde["referent"].username, password=MOT_DE_PASSE)
    try:
        reponse = client.post(reverse("pilotage:demander_export"), {"type": "mesures", "format": "xlsx"})
        export = Export.objects.get()
        assert reponse.status_code == 302 and reponse.url.endswith(f"#export-{export.pk}")
        page = client.get(reverse("pilotage:exports")).content.decode()
        assert f'id="export-{export.pk}"' in page
        limite = time.monotonic() + 30
        while time.monotonic() < limite:
            export.refresh_from_db()
            if export.progression > 0 or export.etat in ("PRET", "ECHEC"):
                break
            time.sleep(0.1)
        # 2 rows of 5 written: 40 %, shown by the polling fragment.
        assert (export.etat, export.progression, export.lignes) == ("EN_COURS", 40, 2)
        fragment = client.get(reverse("pilotage:etat_export", args=[export.pk])).content.decode()
        assert 'value="40"' in fragment and "40 %" in fragment and 'hx-trigger="every 1s"' in fragment
    finally:
        vu.set()
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        export.refresh_from_db()
        if export.etat in ("PRET", "ECHEC"):
            break
        time.sleep(0.2)
    assert export.etat == "PRET", export.erreur
    assert export.progression == 100 and export.lignes == 5
    fragment = client.get(reverse("pilotage:etat_export", args=[export.pk])).content.decode()
    assert "Télécharger (5 lignes)" in fragment
    fichier = client.get(reverse("pilotage:telecharger_export", args=[export.pk]))
    rangs = list(load_workbook(io.BytesIO(b"".join(fichier.streaming_content))).active.values)
    assert len(rangs) == 6  # header + the five measures of the structure only
