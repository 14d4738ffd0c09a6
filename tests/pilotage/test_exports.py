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
    assert rangs[0][:3] == ("Convention n°", "Structure", "Territoire")
    # No convention number recorded: the structure's name stands for it.
    assert rangs[1][:2] == (monde["structure"].nom, monde["structure"].nom) and rangs[1][3:] == (2, 1, 0, 1, 1, 1)
    assert rangs[-1][0] == "Total" and len(rangs) == 3
    monde["structure"].numero_convention = "CD88-RSA-2025-012"
    monde["structure"].save()
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "xlsx", "annee": "2025"})
    assert list(load_workbook(io.BytesIO(reponse.content)).active.values)[1][:2] == (
        "CD88-RSA-2025-012", monde["structure"].nom,
    )  # fmt: skip


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
    monkeypatch.setattr(
        tasks.produire_export, "apply_async", lambda args, kwargs=None, **options: production.produire(*args)
    )
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


@pytest.mark.parametrize(
    "retour", ["//evil.example", "https://evil.example/bilan", "/\\evil.example", "javascript:alert(1)"]
)
def test_retour_vers_un_autre_site_refuse(client, monde, retour):
    # An invalid request sends the user back to `retour`: only a path of this site is followed.
    reponse = _client(client, monde["delegue"]).post(
        reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "xlsx", "retour": retour}
    )
    assert reponse.status_code == 302 and reponse.url == reverse("pilotage:exports")


def test_retour_vers_la_page_d_origine(client, monde):
    retour = reverse("pilotage:bilan") + "?annee=2025"
    reponse = _client(client, monde["delegue"]).post(
        reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "xlsx", "retour": retour}
    )
    assert reponse.status_code == 302 and reponse.url == retour


HOSTILES = ['=HYPERLINK("http://evil.example")', "+33 6 12 34 56 78", "-2+3", "@SUM(A1)", "\tTab", "\rRetour"]


@pytest.fixture
def hostiles(monde):
    for i, texte in enumerate(HOSTILES):
        mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1), resident__nom=texte, resident__prenom=f"P{i}")
    mesure(monde["referent"], VEILLE, D(2025, 1, 1), resident__nom="Dupont-Durand", resident__prenom="Anne")


def test_csv_neutralise_les_formules(client, monde, hostiles):
    reponse = _client(client, monde["referent"]).post(
        reverse("pilotage:demander_export"), {"type": "mesures", "format": "csv"}
    )
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    noms = {ligne[2]: ligne[1] for ligne in lignes[1:]}
    assert [noms[f"P{i}"] for i in range(len(HOSTILES))] == ["'" + texte for texte in HOSTILES]
    assert noms["Anne"] == "Dupont-Durand"  # a dash inside the text is harmless: unchanged
    assert "01/01/2025" in {ligne[6] for ligne in lignes[1:]}


def test_xlsx_neutralise_les_formules_et_garde_les_types(client, monde, hostiles):
    reponse = _client(client, monde["referent"]).post(
        reverse("pilotage:demander_export"), {"type": "mesures", "format": "xlsx"}
    )
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    rangs = list(feuille.iter_rows(min_row=2))
    assert all(rang[1].data_type == "s" for rang in rangs)  # text, never a formula
    noms = {rang[2].value: rang[1].value for rang in rangs}
    # (XML reads a carriage return back as a line feed.)
    assert [noms[f"P{i}"] for i in range(len(HOSTILES))] == ["'" + t.replace("\r", "\n") for t in HOSTILES]
    assert noms["Anne"] == "Dupont-Durand"
    assert isinstance(rangs[0][0].value, int) and isinstance(rangs[0][6].value, datetime.datetime)


@pytest.mark.parametrize("type_", ["bilan_rsa", "sorties_rsa", "osa", "asll"])
def test_le_referent_n_exporte_pas_le_bilan(client, monde, mesures, type_):
    # Same rule as the page (403 for a référent), whatever the size of the export.
    _client(client, monde["referent"])
    assert client.get(reverse("pilotage:bilan")).status_code == 403
    reponse = client.post(reverse("pilotage:demander_export"), {"type": type_, "format": "csv", "annee": "2025"})
    assert reponse.status_code == 403
    assert not Export.objects.exists()
    # Nor in the background: a row asked for some other way fails at production.
    export = Export.objects.create(
        utilisateur=monde["referent"],
        type=type_,
        format="csv",
        parametres={"annee": "2025"},
        expire_le=timezone.now() + datetime.timedelta(hours=1),
    )
    production.produire(export.pk)
    export.refresh_from_db()
    assert export.etat == "ECHEC" and not export.fichier


def test_la_page_des_exports_ne_propose_que_ce_qui_est_permis(client, monde):
    sources = dict(_client(client, monde["referent"]).get(reverse("pilotage:exports")).context["sources"])
    assert list(sources) == ["mesures"]
    client.logout()
    sources = dict(_client(client, monde["delegue"]).get(reverse("pilotage:exports")).context["sources"])
    assert list(sources) == ["mesures", "bilan_rsa", "sorties_rsa", "osa", "asll"]


def test_export_osa_par_personne(client, monde):
    from tests.accompagnement.factories import EntretienFactory
    from tests.pilotage.conftest import a_paris

    a = mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1))
    b = mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1))
    EntretienFactory(accompagnement=a, date_heure=a_paris(D(2025, 1, 13)), duree_minutes=60)
    EntretienFactory(accompagnement=b, date_heure=a_paris(D(2025, 1, 14)), duree_minutes=120)
    reponse = _client(client, monde["delegue"]).post(
        reverse("pilotage:demander_export"), {"type": "osa", "format": "xlsx", "annee": "2025"}
    )
    entete, *rangs = load_workbook(io.BytesIO(reponse.content)).active.values
    assert entete == (
        "semaine",
        "RSA – accompagnement socioprofessionnel : heures",
        "RSA – accompagnement socioprofessionnel : personnes",
        "RSA – accompagnement socioprofessionnel : heures par personne",
        "total : heures",
        "total : personnes",
        "total : heures par personne",
    )
    assert rangs == [("semaine du 13 janvier 2025", 3, 2, 1.5, 3, 2, 1.5)]


@pytest.mark.parametrize(
    ("methode", "nom"),
    [
        ("post", "pilotage:exports"),
        ("put", "pilotage:comites"),
        ("delete", "pilotage:comites"),
        ("get", "pilotage:demander_export"),
    ],
)
def test_mauvaise_methode_405(client, monde, methode, nom):
    reponse = getattr(_client(client, monde["delegue"]), methode)(reverse(nom))
    assert reponse.status_code == 405


def test_la_liste_des_exports_dit_le_contenu_en_francais(client, monde):
    for type_ in ("bilan_rsa", "comite", "ancien_type"):
        Export.objects.create(
            utilisateur=monde["delegue"],
            type=type_,
            format="xlsx",
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )
    page = _client(client, monde["delegue"]).get(reverse("pilotage:exports")).content.decode()
    assert "<span>Bilan annuel RSA (Excel (XLSX))" in page and "<span>Dossier de comité (Excel (XLSX))" in page
    assert "<span>bilan_rsa" not in page and "<span>comite" not in page
    assert "<span>Ancien_type (Excel (XLSX))" in page  # a kind since removed: its key, no error


def test_double_envoi_depuis_la_page_du_bilan_un_seul_export(client, monde, mesures, monkeypatch):
    """The bilan page's export forms carry a jeton: a double click queues one export, not two."""
    import re

    from pilotage import tasks

    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 0)
    monkeypatch.setattr(tasks.produire_export, "delay", lambda pk: None)
    page = _client(client, monde["delegue"]).get(reverse("pilotage:bilan"), {"annee": "2025"}).content.decode()
    formulaire = re.search(r'name="type" value="sorties_rsa">.*?</form>', page, re.S).group(0)
    jeton = re.search(r'name="jeton" value="([^"]*)"', formulaire).group(1)
    assert jeton
    donnees = {"type": "sorties_rsa", "annee": "2025", "format": "xlsx", "jeton": jeton}
    for _ in range(2):
        assert client.post(reverse("pilotage:demander_export"), donnees).status_code == 302
    assert Export.objects.count() == 1


def test_export_du_bilan_par_un_delegue_d_un_autre_territoire(client, monde, mesures):
    """The délégué of the other territory gets that territory only: the other structure's line."""
    reponse = _client(client, monde["delegue_ailleurs"]).post(
        reverse("pilotage:demander_export"), {"type": "bilan_rsa", "format": "csv", "annee": "2025"}
    )
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert [ligne[1] for ligne in lignes[1:]] == [monde["autre"].nom, "Total"]
    assert monde["structure"].nom not in reponse.content.decode("utf-8-sig")
    assert lignes[-1][3] == "1"  # ARSA accompagnés: the outsider's one measure
    reponse = client.post(
        reverse("pilotage:demander_export"), {"type": "sorties_rsa", "format": "csv", "annee": "2025"}
    )
    assert len(list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))) == 1  # header


def test_un_jeton_de_page_pour_plusieurs_exports_differents(client, monde, mesures, monkeypatch):
    """One page's jeton is shared by its export forms and both format buttons: another export asked
    from the same page is queued, not answered with the first one; the same one twice is one export."""
    from pilotage import tasks

    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 0)
    monkeypatch.setattr(tasks.produire_export, "delay", lambda pk: None)
    _client(client, monde["delegue"])
    jeton = "3" * 32
    demandes = [
        {"type": "sorties_rsa", "annee": "2025", "format": "xlsx"},
        {"type": "sorties_rsa", "annee": "2025", "format": "csv"},
        {"type": "bilan_rsa", "annee": "2025", "format": "xlsx"},
        {"type": "sorties_rsa", "annee": "2025", "format": "xlsx"},  # the first one again
    ]
    for donnees in demandes:
        client.post(reverse("pilotage:demander_export"), {**donnees, "jeton": jeton})
    assert sorted((e.type, e.format) for e in Export.objects.all()) == [
        ("bilan_rsa", "xlsx"),
        ("sorties_rsa", "csv"),
        ("sorties_rsa", "xlsx"),
    ]
