"""Exports: only what the user sees, CSV for French Excel, XLSX, background production and download."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pilotage import exports, production
from pilotage.models import Export
from tests.accounts.factories import MOT_DE_PASSE
from tests.pilotage.conftest import SOCIOPRO, VEILLE, mesure

D = datetime.date


def _client(client, user):
    client.login(username=user.username, password=MOT_DE_PASSE)
    return client


@pytest.fixture
def mesures(monde):
    mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1))
    mesure(monde["referent"], VEILLE, D(2025, 2, 1), D(2025, 8, 1), "REFUS")
    mesure(monde["etranger"], SOCIOPRO, D(2025, 1, 1))


def test_csv_pour_excel_francais_et_perimetre(client, monde, mesures):
    reponse = _client(client, monde["collegue"]).post(
        reverse("pilotage:demander_export"), {"type": "mesures", "format": "csv"}
    )
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    assert reponse.content.startswith("\ufeff".encode())
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:3] == ["n°", "nom", "prénom"]
    assert len(lignes) == 3  # header + the two measures of the structure, not the other structure's
    assert {ligne[8] for ligne in lignes[1:]} == {"", "refus de l'accompagnement"}
    assert "01/02/2025" in {ligne[6] for ligne in lignes[1:]}


def test_xlsx_du_bilan(client, monde, mesures):
    reponse = _client(client, monde["delegue"]).post(
        reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "xlsx", "annee": "2025"}
    )
    assert reponse.status_code == 200
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    rangs = list(feuille.values)
    assert rangs[1][0] == monde["structure"].nom and rangs[1][2:] == (2, 1, 0, 1, 1, 1)
    assert rangs[-1][0] == "Total" and len(rangs) == 3


def test_mauvaise_demande_message_clair(client, monde):
    _client(client, monde["delegue"])
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "xlsx"}, follow=True)
    assert "Indiquez une année valide" in reponse.content.decode()
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "inconnu", "format": "csv"}, follow=True)
    assert "Type d&#x27;export inconnu" in reponse.content.decode()
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "mesures", "format": "pdf"}, follow=True)
    assert "Format d&#x27;export inconnu" in reponse.content.decode()
    assert not Export.objects.exists()


def test_export_en_arriere_plan_au_dela_du_seuil(
    client, monde, mesures, monkeypatch, django_capture_on_commit_callbacks
):
    # The real worker is exercised in test_export_celery.py; here the task body runs in-process.
    from pilotage import tasks

    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 1)
    monkeypatch.setattr(tasks.produire_export, "delay", production.produire)
    _client(client, monde["referent"])
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("pilotage:demander_export"), {"type": "mesures", "format": "xlsx", "jeton": "1" * 32}
        )
        client.post(reverse("pilotage:demander_export"), {"type": "mesures", "format": "xlsx", "jeton": "1" * 32})
    export = Export.objects.get()  # the double submit did not create a second one
    assert reponse.status_code == 302
    assert export.etat == "PRET" and export.progression == 100 and export.lignes == 2
    etat = client.get(reverse("pilotage:etat_export", args=[export.pk])).content.decode()
    assert "Télécharger" in etat and "hx-trigger" not in etat
    fichier = client.get(reverse("pilotage:telecharger_export", args=[export.pk]))
    assert fichier.status_code == 200
    assert len(list(load_workbook(io.BytesIO(b"".join(fichier.streaming_content))).active.values)) == 3
    # Nobody else may download it, not even a colleague.
    client.logout()
    _client(client, monde["collegue"])
    assert client.get(reverse("pilotage:telecharger_export", args=[export.pk])).status_code == 404
    assert client.get(reverse("pilotage:etat_export", args=[export.pk])).status_code == 404


def test_expiration_au_telechargement_et_purge(client, monde, mesures):
    export = Export.objects.create(
        utilisateur=monde["referent"],
        type="mesures",
        format="csv",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    production.produire(export.pk)
    export.refresh_from_db()
    chemin = export.fichier.path
    _client(client, monde["referent"])
    reponse = client.get(reverse("pilotage:telecharger_export", args=[export.pk]))
    assert reponse.status_code == 200 and b"".join(reponse.streaming_content).startswith(b"\xef\xbb\xbf")
    Export.objects.filter(pk=export.pk).update(expire_le=timezone.now() - datetime.timedelta(seconds=1))
    reponse = client.get(reverse("pilotage:telecharger_export", args=[export.pk]))
    assert reponse.status_code == 410 and "expiré" in reponse.content.decode()
    assert production.purger() == 1
    export.refresh_from_db()
    assert export.etat == "EXPIRE" and not export.fichier
    import os

    assert not os.path.exists(chemin)
    assert production.purger() == 0


def test_production_deux_fois_sans_effet(monde, mesures):
    export = Export.objects.create(
        utilisateur=monde["referent"],
        type="mesures",
        format="csv",
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    assert production.produire(export.pk) is not None
    assert production.produire(export.pk) is None  # already done: a redelivered task does nothing
