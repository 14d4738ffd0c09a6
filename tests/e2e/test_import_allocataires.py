"""Browser journey in real Chromium: the délégué insertion imports the Département's file of 30 new RSA
beneficiaries (one already followed under another spelling, one line with an unreadable date), checks the
columns, reads the preview, confirms, follows the progress of the Celery worker and reads the report."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from referentiel.models import Structure
from residents.models import ImportAllocataires, Resident
from tests.accounts.factories import DelegueFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory
from tests.taches import worker  # noqa: F401 - the Celery worker thread that runs the import

PRENOMS = ["Zoé", "Léa", "Hugo", "Inès", "Noé", "Maël", "Chloé", "Jade", "Théo", "Loïc"]
NOMS = ["Aubert", "Barré", "Charpentier", "Dumas", "Évrard", "Ferry"]


def fichier_de_30_lignes():
    ouverture = (timezone.localdate() - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    lignes = ["N° allocataire;Nom;Prénom;Date de naissance;Adresse;Date d'ouverture du droit;Situation familiale"]
    for i in range(28):
        naissance = (datetime.date(1970, 1, 1) + datetime.timedelta(days=400 * i)).strftime("%d/%m/%Y")
        lignes.append(f"{8_000_000 + i};{NOMS[i % 6]};{PRENOMS[i % 10]};{naissance};{i} rue du Port;{ouverture};seul")
    # Élodie Lefèvre is already followed (written « Lefevre Elodie »): a probable duplicate.
    lignes.append(f"8000100;LEFÈVRE;élodie;02/04/1990;1 place des Vosges;{ouverture};célibataire")
    lignes.append(f"8000101;Bernard;Yanis;31/13/1988;2 rue Léopold;{ouverture};seul")  # unreadable date
    return ("\n".join(lignes) + "\n").encode("cp1252")


def test_delegue_importe_le_fichier_des_allocataires(page, live_server, worker, tmp_path):  # noqa: F811
    pole = StructureFactory(nom="Pôle insertion du Département – Épinal", type=Structure.Type.SERVICE_CD)
    delegue = DelegueFactory(territoires=[pole.territoire], first_name="Didier", last_name="Valentin")
    ResidentFactory(
        structure=StructureFactory(territoire=pole.territoire),
        nom="Lefevre",
        prenom="Elodie",
        date_naissance=datetime.date(1990, 4, 2),
    )
    chemin = tmp_path / "allocataires.csv"
    chemin.write_bytes(fichier_de_30_lignes())

    connecter(page, live_server, delegue)
    page.get_by_role("link", name="Importer des allocataires").first.click()
    expect(page.get_by_role("heading", name="Importer des allocataires du RSA")).to_be_visible()
    expect(page.get_by_label("Structure d'accueil des nouvelles personnes")).to_have_value(str(pole.pk))
    page.get_by_label("Fichier des allocataires (CSV ou Excel XLSX)").set_input_files(str(chemin))
    page.get_by_role("button", name="Lire le fichier").click()

    # The columns, recognised by their names.
    expect(page.get_by_role("heading", name="1. Colonnes du fichier")).to_be_visible()
    expect(page.get_by_label("Date d'ouverture du droit")).to_have_value("date_ouverture_rsa")
    expect(page.get_by_label("N° allocataire")).to_have_value("numero_allocataire")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Voir l'aperçu").click()

    # The preview: nothing written yet.
    expect(page.get_by_role("heading", name="2. Aperçu : rien n'est encore enregistré")).to_be_visible()
    compteurs = page.locator("#compteurs-import")
    expect(compteurs).to_contain_text("28 nouveau")
    expect(compteurs).to_contain_text("1 doublon probable")
    expect(compteurs).to_contain_text("1 erreur")
    assert not Resident.objects.filter(numero_allocataire__startswith="80000").exists()
    page.get_by_role("link", name="Doublons probables et erreurs").click()
    lignes = page.locator("#lignes-import tbody tr")
    expect(lignes).to_have_count(2)
    expect(lignes.nth(0)).to_contain_text("Doublon probable de Elodie Lefevre")
    expect(lignes.nth(1)).to_contain_text("Date de naissance illisible (« 31/13/1988 »)")
    verifier_accessibilite(page)

    # Confirmed: the worker imports, the page follows its progress and shows the report.
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible(timeout=30_000)
    expect(page.locator("#compteurs-import")).to_contain_text("28 nouveau")
    verifier_accessibilite(page)
    import_ = ImportAllocataires.objects.get()
    assert import_.etat == ImportAllocataires.Etat.TERMINE
    crees = Resident.objects.filter(numero_allocataire__startswith="80000", structure=pole)
    assert crees.count() == 28
    assert all(r.date_ouverture_rsa and r.orientation_id is None for r in crees)
    assert not Resident.objects.filter(numero_allocataire__in=["8000100", "8000101"]).exists()
