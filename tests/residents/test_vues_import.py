"""The import's screens: deposit, columns, preview, confirmation (once), progress, report; who reaches them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from residents import services_import
from residents.models import ImportAllocataires, Resident
from tests.accounts.factories import AdministrateurFactory, DelegueFactory, ReferentFactory, ResponsableFactory
from tests.residents.factories import ResidentFactory
from tests.residents.test_import import ENTETES, contenu_csv, ligne

E = ImportAllocataires.Etat


@pytest.fixture
def pole(territoire):
    from referentiel.models import Structure
    from tests.referentiel.factories import StructureFactory

    return StructureFactory(territoire=territoire, type=Structure.Type.SERVICE_CD, nom="Pôle insertion – vues")


@pytest.fixture
def territoire():
    from tests.referentiel.factories import TerritoireFactory

    return TerritoireFactory()


@pytest.fixture
def delegue(territoire):
    return DelegueFactory(territoires=[territoire])


def deposer(client, pole, contenu, nom="allocataires.csv"):
    return client.post(
        reverse("residents:imports"), {"structure": pole.pk, "fichier": SimpleUploadedFile(nom, contenu)}
    )


def colonnes(import_, delegue):
    proposes = services_import.proposition(import_, delegue)
    return {f"colonne_{i}": proposes.get(i, "") for i in range(len(import_.entetes))}


def test_parcours_depot_colonnes_apercu_confirmation_compte_rendu(client, delegue, pole):
    ResidentFactory(structure=pole, nom="Lefevre", prenom="Elodie", date_naissance=datetime.date(1990, 4, 2))
    client.force_login(delegue)
    page = client.get(reverse("residents:imports"))
    assert page.status_code == 200 and "Importer des allocataires du RSA" in page.content.decode()
    reponse = deposer(client, pole, contenu_csv(ligne(numero="1111111", nom="Durand", prenom="Zoé"), ligne()))
    import_ = ImportAllocataires.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("residents:import", args=[import_.pk])
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "Colonnes du fichier" in page and "Situation familiale" in page
    reponse = client.post(reverse("residents:import_colonnes", args=[import_.pk]), colonnes(import_, delegue))
    assert reponse.status_code == 302
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "Aperçu : rien n'est encore enregistré" in page
    assert "Les doublons probables et les lignes en erreur ne sont pas importés" in page
    assert "Doublon probable de Elodie Lefevre" in page
    # Confirmed twice (double click): one import queued.
    for _ in range(2):
        client.post(reverse("residents:import_confirmer", args=[import_.pk]))
    import_.refresh_from_db()
    assert import_.etat == E.EN_ATTENTE
    etat = client.get(reverse("residents:import_etat", args=[import_.pk]), headers={"HX-Request": "true"})
    assert etat.status_code == 200 and 'hx-trigger="every 1s"' in etat.content.decode()
    services_import.appliquer(import_.pk)
    etat = client.get(reverse("residents:import_etat", args=[import_.pk]), headers={"HX-Request": "true"})
    assert etat.status_code == 204 and etat["HX-Refresh"] == "true"
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "Compte rendu de l'import" in page and "Zoé Durand" in page
    assert Resident.objects.filter(numero_allocataire="1111111").count() == 1
    assert not Resident.objects.filter(numero_allocataire=ligne().split(";")[0]).exists()
    # The report filtered on the problems.
    page = client.get(reverse("residents:import", args=[import_.pk]) + "?statut=problemes").content.decode()
    assert "Elodie Lefevre" in page and "Zoé Durand" not in page


@pytest.mark.parametrize(
    ("contenu", "nom", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide."),
        (contenu_csv(ligne(), encodage="utf-16"), "utf16.csv", "L&#x27;encodage de ce fichier n&#x27;est pas reconnu"),
        (b"%PDF-1.4\n\x01\x02\x03", "faux.xlsx", "ni un fichier CSV ni un classeur Excel"),
    ],
)
def test_un_mauvais_fichier_est_refuse_sur_la_page(client, delegue, pole, contenu, nom, message):
    client.force_login(delegue)
    reponse = deposer(client, pole, contenu, nom)
    assert reponse.status_code == 200 and message in reponse.content.decode()
    assert not ImportAllocataires.objects.exists()


def test_trop_gros(client, delegue, pole, settings):
    settings.IMPORT_ALLOCATAIRES_TAILLE_MAX = 1024 * 1024
    client.force_login(delegue)
    reponse = deposer(client, pole, ENTETES.encode() + b"\n" + b"x;" * (600 * 1024))
    assert "dépasse la taille autorisée (1 Mo)" in reponse.content.decode()
    assert not ImportAllocataires.objects.exists()


def test_colonne_obligatoire_oubliee(client, delegue, pole):
    client.force_login(delegue)
    deposer(client, pole, contenu_csv(ligne()))
    import_ = ImportAllocataires.objects.get()
    donnees = {**colonnes(import_, delegue), "colonne_0": ""}
    reponse = client.post(reverse("residents:import_colonnes", args=[import_.pk]), donnees)
    assert reponse.status_code == 200 and "Indiquez la colonne de : n° allocataire." in reponse.content.decode()
    import_.refresh_from_db()
    assert import_.etat == E.COLONNES


def test_colonnes_inconnues_listees_et_exemple_montre(client, delegue, pole):
    client.force_login(delegue)
    entetes = ENTETES + ";Couleur préférée"
    deposer(client, pole, contenu_csv(ligne() + ";bleu", entetes=entetes))
    import_ = ImportAllocataires.objects.get()
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "1re ligne : « bleu »" in page and "1re ligne : « 1234567 »" in page
    client.post(reverse("residents:import_colonnes", args=[import_.pk]), colonnes(import_, delegue))
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "Colonne du fichier non lue : Couleur préférée." in page


def test_le_meme_depot_envoye_deux_fois_est_un_seul_import(client, delegue, pole):
    client.force_login(delegue)
    jeton = "6f1c3a52-3f51-4d0e-9a43-1f0f7f3d2a11"
    for _ in range(2):
        client.post(
            reverse("residents:imports"),
            {"structure": pole.pk, "jeton": jeton, "fichier": SimpleUploadedFile("a.csv", contenu_csv(ligne()))},
        )
    assert ImportAllocataires.objects.count() == 1


def test_le_meme_fichier_deja_importe_est_signale(client, delegue, pole):
    client.force_login(delegue)
    for _ in range(2):
        deposer(client, pole, contenu_csv(ligne()))
        import_ = ImportAllocataires.objects.order_by("-pk").first()
        client.post(reverse("residents:import_colonnes", args=[import_.pk]), colonnes(import_, delegue))
        page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
        client.post(reverse("residents:import_confirmer", args=[import_.pk]))
        services_import.appliquer(import_.pk)
    assert "Ce même fichier a déjà été importé le" in page and "seront « inchangées »" in page
    page = client.get(reverse("residents:import", args=[import_.pk])).content.decode()
    assert "<strong>1</strong> inchangé" in page


def test_abandon(client, delegue, pole):
    client.force_login(delegue)
    deposer(client, pole, contenu_csv(ligne()))
    import_ = ImportAllocataires.objects.get()
    client.post(reverse("residents:import_abandonner", args=[import_.pk]))
    import_.refresh_from_db()
    assert import_.etat == E.ABANDONNE and not import_.fichier


def test_qui_atteint_les_pages(client, delegue, pole, territoire, referent, structure):
    client.force_login(delegue)
    deposer(client, pole, contenu_csv(ligne()))
    import_ = ImportAllocataires.objects.get()
    pages = [reverse(n, args=[import_.pk]) for n in ("residents:import", "residents:import_etat")]
    # The délégué, a colleague délégué of the territory, the administrator: yes.
    for user in (delegue, DelegueFactory(territoires=[territoire]), AdministrateurFactory()):
        client.force_login(user)
        assert client.get(reverse("residents:imports")).status_code == 200
        assert [client.get(url).status_code for url in pages] == [200, 200]
    # The délégué of another territory: the list (of their own territories), never this import.
    client.force_login(DelegueFactory())
    assert "allocataires.csv" not in client.get(reverse("residents:imports")).content.decode()
    assert [client.get(url).status_code for url in pages] == [404, 404]
    assert client.post(reverse("residents:import_confirmer", args=[import_.pk])).status_code == 404
    # A structure's staff: the screen is not theirs (403 explained), the import unknown (404).
    for user in (referent, ResponsableFactory(structures=[pole]), ReferentFactory(structures=[pole])):
        client.force_login(user)
        reponse = client.get(reverse("residents:imports"))
        assert reponse.status_code == 403 and "réservé au délégué insertion" in reponse.content.decode()
        assert [client.get(url).status_code for url in pages] == [404, 404]


def test_le_menu_du_delegue(client, delegue, referent):
    client.force_login(delegue)
    assert "Importer des allocataires" in client.get(reverse("accueil")).content.decode()
    client.force_login(referent)
    assert "Importer des allocataires" not in client.get(reverse("accueil")).content.decode()


def test_numero_allocataire_unique_sur_le_formulaire(client, referent, structure):
    ResidentFactory(structure=structure, numero_allocataire="1234567")
    autre = ResidentFactory(structure=structure)
    client.force_login(referent)
    donnees = {
        "nom": autre.nom, "prenom": autre.prenom, "date_naissance": "1990-05-17", "sexe": "A",
        "situation_familiale": "SEUL", "enfants_a_charge": "0", "version": autre.version,
        "numero_allocataire": "123 4567",
    }  # fmt: skip
    reponse = client.post(reverse("residents:modifier", args=[autre.pk]), donnees)
    assert "Ce n° allocataire est déjà celui d&#x27;une autre personne." in reponse.content.decode()
    autre.refresh_from_db()
    assert autre.numero_allocataire == ""
    donnees["numero_allocataire"] = "765 4321"
    assert client.post(reverse("residents:modifier", args=[autre.pk]), donnees).status_code == 302
    autre.refresh_from_db()
    assert autre.numero_allocataire == "7654321"
    assert "7654321" in client.get(reverse("residents:dossier", args=[autre.pk])).content.decode()
