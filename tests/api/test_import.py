"""The import of beneficiaries through the API: the screen's service (residents.services_import), deposit
and columns on POST, the preview and then the report on GET, the confirmation once; the délégué's rights
(a territory's token of that role); bad files refused in the screen's words, nothing kept."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from api.models import JetonAPI
from api.services import revoquer_jeton
from residents import services_import
from residents.models import ImportAllocataires, Resident
from tests.api.conftest import jeton
from tests.residents.factories import ResidentFactory
from tests.residents.test_import import ENTETES, contenu_csv, ligne

E = ImportAllocataires.Etat


@pytest.fixture
def delegue(monde):
    return jeton(territoire=monde.territoire_a, role_territoire=Role.DELEGUE, portee=JetonAPI.Portee.ECRITURE)


def deposer(api, secret, structure, contenu, nom="allocataires.csv", cle=None, **plus):
    entetes = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    if cle is not None:
        entetes["HTTP_IDEMPOTENCY_KEY"] = cle
    donnees = {"structure": structure.pk, "fichier": SimpleUploadedFile(nom, contenu), **plus}
    return api.client.post(reverse("api:imports"), donnees, format="multipart", **entetes)


def _fichiers(settings):
    dossier = settings.MEDIA_ROOT / "imports"
    return sorted(dossier.iterdir()) if dossier.exists() else []


def test_depot_apercu_confirmation_compte_rendu(api, monde, delegue):
    ResidentFactory(
        structure=monde.structure_a, nom="Lefèvre", prenom="Élodie", date_naissance=datetime.date(1990, 4, 2)
    )
    _, secret = delegue
    reponse = deposer(api, secret, monde.structure_a, contenu_csv(ligne(numero="1111111", nom="Durand"), ligne()))
    assert reponse.status_code == 201, reponse.json()
    corps = reponse.json()
    assert corps["etat"] == "APERCU"
    assert corps["compteurs"]["NOUVEAU"] == 1 and corps["compteurs"]["DOUBLON"] == 1
    assert [(ligne["nom"], ligne["statut"]) for ligne in corps["lignes"]] == [
        ("Durand", "NOUVEAU"),
        ("Lefèvre", "DOUBLON"),
    ]
    assert not Resident.objects.filter(numero_allocataire="1111111").exists()  # nothing before the confirmation
    url = reverse("api:import", args=[corps["id"]])
    assert [ligne["nom"] for ligne in api.get(url, secret, statut="DOUBLON").json()["lignes"]] == ["Lefèvre"]
    confirmation = reverse("api:import_confirmation", args=[corps["id"]])
    assert api.post(confirmation, secret, None).status_code == 202
    assert api.post(confirmation, secret, None).status_code == 200  # a second one changes nothing
    assert api.get(url, secret).json()["etat"] == "EN_ATTENTE"
    services_import.appliquer(corps["id"])  # the background task's work
    rapport = api.get(url, secret).json()
    assert rapport["etat"] == "TERMINE" and rapport["progression"] == 100
    cree = Resident.objects.get(numero_allocataire="1111111")
    assert [(ligne["statut"], ligne["personne"]) for ligne in rapport["lignes"]][0] == ("NOUVEAU", cree.pk)
    assert cree.structure == monde.structure_a


def test_colonnes_donnees_par_le_client(api, monde, delegue):
    entetes = "Matricule;NOM;Prenom;Ne le;Adr;Droit;Famille"
    colonnes = dict(
        zip(
            entetes.split(";"),
            ["numero_allocataire", "nom", "prenom", "date_naissance", "", "date_ouverture_rsa", "situation_familiale"],
            strict=True,
        )
    )
    contenu = contenu_csv(ligne(numero="2222222"), entetes=entetes)
    reponse = deposer(api, delegue[1], monde.structure_a, contenu, colonnes=json.dumps(colonnes))
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["compteurs"]["NOUVEAU"] == 1
    assert "4" not in ImportAllocataires.objects.get().correspondance  # « Adr » ignored as asked


def test_idempotency_key_un_seul_import(api, monde, delegue):
    contenu = contenu_csv(ligne())
    ids = {deposer(api, delegue[1], monde.structure_a, contenu, cle="fichier-du-mois").json()["id"] for _ in range(2)}
    assert len(ids) == 1
    assert ImportAllocataires.objects.count() == 1


@pytest.mark.parametrize(
    ("contenu", "plus", "champ", "message"),
    [
        (b"", {}, "fichier", "Le fichier est vide."),
        (b"%PDF-1.4\n\x01\x02\x03", {}, "fichier", None),
        (contenu_csv(ligne(), entetes="A;B;C;D;E;F;G"), {}, "colonnes", "Indiquez la colonne de"),
        (contenu_csv(ligne()), {"colonnes": "{pas du json"}, "colonnes", "JSON invalide"),
        (contenu_csv(ligne()), {"colonnes": json.dumps({"Nom": "age"})}, "colonnes", "Champ inconnu : age."),
        (contenu_csv(ligne()), {"colonnes": json.dumps({"Absente": "nom"})}, "colonnes", "Colonne absente"),
        (contenu_csv(ligne()), {"inconnu": "1"}, "inconnu", "Champ inconnu."),
    ],
)
def test_mauvais_fichier_ou_colonnes_400_rien_garde(api, monde, delegue, settings, contenu, plus, champ, message):
    reponse = deposer(api, delegue[1], monde.structure_a, contenu, **plus)
    assert reponse.status_code == 400, reponse.json()
    corps = reponse.json()
    assert corps["code"] == "donnees_invalides"
    assert list(corps["champs"]) == [champ]
    if message:
        assert corps["champs"][champ][0].startswith(message), corps
    assert not ImportAllocataires.objects.exists()
    assert _fichiers(settings) == []


def test_trop_gros_400_avant_lecture(api, monde, delegue, settings):
    settings.IMPORT_ALLOCATAIRES_TAILLE_MAX = 1024 * 1024
    reponse = deposer(api, delegue[1], monde.structure_a, ENTETES.encode() + b"\n" + b"x;" * (600 * 1024))
    assert reponse.status_code == 400
    assert "dépasse la taille autorisée (1 Mo)" in json.dumps(reponse.json(), ensure_ascii=False)
    assert not ImportAllocataires.objects.exists()


def test_envoi_en_json_refuse_415(api, monde, delegue):
    reponse = api.post(reverse("api:imports"), delegue[1], {"structure": monde.structure_a.pk})
    assert reponse.status_code == 415


def test_structure_d_un_autre_territoire_400(api, monde, delegue):
    reponse = deposer(api, delegue[1], monde.structure_b, contenu_csv(ligne()))
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {"structure": ["Structure inconnue ou hors de vos territoires."]}
    assert not ImportAllocataires.objects.exists()


@pytest.mark.parametrize("qui", ["structure", "partenaire", "conseillere", "lecture"])
def test_seul_le_delegue_importe_403(api, monde, qui):
    if qui == "structure":
        secret = monde.secret_a
    elif qui == "partenaire":
        _, secret = jeton(
            tiers=monde.partenaire.contact_partenaire.tiers,
            compte_partenaire=monde.partenaire,
            portee=JetonAPI.Portee.ECRITURE,
        )
    elif qui == "conseillere":
        _, secret = jeton(
            territoire=monde.territoire_a, role_territoire=Role.CONSEILLER_LOGEMENT, portee=JetonAPI.Portee.ECRITURE
        )
    else:
        _, secret = jeton(territoire=monde.territoire_a, role_territoire=Role.DELEGUE)
    reponse = deposer(api, secret, monde.structure_a, contenu_csv(ligne()))
    assert reponse.status_code == 403
    assert reponse.json()["code"] == "interdit"
    assert not ImportAllocataires.objects.exists()


def test_import_d_un_autre_territoire_404_sans_jeton_401(api, monde, delegue):
    import_id = deposer(api, delegue[1], monde.structure_a, contenu_csv(ligne())).json()["id"]
    _, ailleurs = jeton(territoire=monde.territoire_b, role_territoire=Role.DELEGUE, portee=JetonAPI.Portee.ECRITURE)
    for url in (reverse("api:import", args=[import_id]), reverse("api:import_confirmation", args=[import_id])):
        appel = api.get if url.endswith(f"{import_id}/") else (lambda u, s: api.post(u, s, None))
        assert appel(url, ailleurs).status_code == 404
        assert appel(url, monde.secret_a).status_code == 404
        assert appel(url, None).status_code == 401
    assert ImportAllocataires.objects.get().etat == E.APERCU
    revoquer_jeton(jeton=delegue[0])
    assert api.get(reverse("api:import", args=[import_id]), delegue[1]).status_code == 401


def test_confirmer_sans_apercu_400(api, monde, delegue):
    import_id = deposer(api, delegue[1], monde.structure_a, contenu_csv(ligne())).json()["id"]
    ImportAllocataires.objects.filter(pk=import_id).update(etat=E.ABANDONNE)
    reponse = api.post(reverse("api:import_confirmation", args=[import_id]), delegue[1], None)
    assert reponse.status_code == 400
    assert "n'a pas d'aperçu à confirmer" in reponse.json()["champs"]["non_field_errors"][0]


def test_statut_inconnu_400(api, monde, delegue):
    import_id = deposer(api, delegue[1], monde.structure_a, contenu_csv(ligne())).json()["id"]
    reponse = api.get(reverse("api:import", args=[import_id]), delegue[1], statut="X")
    assert reponse.status_code == 400
    assert list(reponse.json()["champs"]) == ["statut"]
