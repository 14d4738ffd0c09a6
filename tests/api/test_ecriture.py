"""Writes: through the application's services only, once per Idempotency-Key, a probable duplicate is a
409 with its candidates, and bad input a 400 in French with nothing written."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Entretien
from api.models import JetonAPI
from journal.models import Action, JournalAcces
from residents.models import Resident
from tests.api.conftest import jeton

NOUVELLE = {"nom": "Lefèvre", "prenom": "Élodie", "date_naissance": "1994-03-02"}


def _personne(monde, **plus):
    return {**NOUVELLE, "structure": monde.structure_a.pk, **plus}


def test_creer_une_personne(api, monde):
    reponse = api.post(reverse("api:personnes"), monde.secret_a, _personne(monde, telephone="0612345678"))
    assert reponse.status_code == 201, reponse.json()
    cree = Resident.objects.get(pk=reponse.json()["id"])
    assert (cree.nom, cree.structure, cree.telephone) == ("Lefèvre", monde.structure_a, "0612345678")
    assert JournalAcces.objects.filter(resident_id=cree.pk, action=Action.MODIFICATION).count() == 1


def test_doublon_probable_409_avec_candidats_rien_cree(api, monde):
    personne = monde.personne
    donnees = _personne(monde, nom="ZYGMUNTOWICZ", prenom="aurore", date_naissance=personne.date_naissance.isoformat())
    avant = Resident.objects.count()
    reponse = api.post(reverse("api:personnes"), monde.secret_a, donnees)
    assert reponse.status_code == 409
    corps = reponse.json()
    assert corps["code"] == "doublon_probable"
    assert [c["id"] for c in corps["candidats"]] == [personne.pk]
    assert Resident.objects.count() == avant
    # Created anyway, as an explicit choice.
    reponse = api.post(reverse("api:personnes"), monde.secret_a, {**donnees, "creer_malgre_doublon": True})
    assert reponse.status_code == 201
    assert Resident.objects.count() == avant + 1


def test_les_doublons_d_une_autre_organisation_ne_sont_pas_montres(api, monde):
    """Only people the token sees are candidates: another structure's file is neither shown nor blocking."""
    personne = monde.personne
    donnees = {**NOUVELLE, "nom": personne.nom, "prenom": personne.prenom}
    donnees |= {"date_naissance": personne.date_naissance.isoformat(), "structure": monde.structure_b.pk}
    reponse = api.post(reverse("api:personnes"), monde.secret_b, donnees)
    assert reponse.status_code == 201
    assert "candidats" not in reponse.json()


def test_idempotency_key_une_seule_personne(api, monde):
    url, donnees = reverse("api:personnes"), _personne(monde)
    premiere = api.post(url, monde.secret_a, donnees, cle="import-42")
    seconde = api.post(url, monde.secret_a, donnees, cle="import-42")
    assert premiere.status_code == seconde.status_code == 201
    assert premiere.json()["id"] == seconde.json()["id"]
    assert Resident.objects.filter(nom="Lefèvre").count() == 1


def test_idempotency_key_propre_a_chaque_jeton(api, monde):
    """The same key from another token is another request (it creates its own row)."""
    autre, secret = jeton(structure=monde.structure_a, portee=JetonAPI.Portee.ECRITURE)
    url = reverse("api:personnes")
    api.post(url, monde.secret_a, _personne(monde), cle="cle-1")
    reponse = api.post(url, secret, _personne(monde, nom="Martin"), cle="cle-1")
    assert reponse.status_code == 201
    assert Resident.objects.filter(nom__in=["Lefèvre", "Martin"]).count() == 2


def test_structure_d_une_autre_organisation_400(api, monde):
    reponse = api.post(reverse("api:personnes"), monde.secret_a, {**NOUVELLE, "structure": monde.structure_b.pk})
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {"structure": ["Structure inconnue ou hors de votre organisation."]}
    assert not Resident.objects.filter(nom="Lefèvre").exists()


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"date_naissance": "hier"}, "date_naissance"),
        ({"nom": ["liste"]}, "nom"),
        ({"enfants_a_charge": "beaucoup"}, "enfants_a_charge"),
        ({"sexe": "Z"}, "sexe"),
        ({"age": 30}, "age"),
        ({"date_naissance": "1850-01-01"}, "date_naissance"),
    ],
)
def test_mauvaises_donnees_400_en_francais(api, monde, donnees, champ):
    reponse = api.post(reverse("api:personnes"), monde.secret_a, _personne(monde, **donnees))
    assert reponse.status_code == 400, reponse.json()
    corps = reponse.json()
    assert corps["code"] == "donnees_invalides"
    assert corps["message"] == "Les données envoyées ne sont pas valides."
    assert list(corps["champs"]) == [champ]
    assert not Resident.objects.filter(nom="Lefèvre").exists()


def test_champ_inconnu_nomme(api, monde):
    reponse = api.post(reverse("api:personnes"), monde.secret_a, _personne(monde, age=30))
    assert reponse.json()["champs"] == {"age": ["Champ inconnu."]}


def test_corps_non_json_ou_enorme_400(api, monde, settings):
    url = reverse("api:personnes")
    reponse = api.post_brut(url, monde.secret_a, "{pas du json")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "code": "donnees_invalides",
        "message": "Le corps de la requête n'est pas du JSON valide.",
    }
    enorme = json.dumps(_personne(monde, adresse="x" * (settings.API_TAILLE_MAX_OCTETS + 10)))
    reponse = api.post_brut(url, monde.secret_a, enorme)
    assert reponse.status_code == 400
    assert reponse.json()["message"].startswith("Requête trop volumineuse")
    assert api.post_brut(url, monde.secret_a, "[]").status_code == 400
    assert api.post_brut(url, monde.secret_a, "nom=x", content_type="text/plain").status_code == 415
    assert not Resident.objects.filter(nom="Lefèvre").exists()


def test_jeton_en_lecture_seule_403(api, monde):
    reponse = api.post(reverse("api:personnes"), monde.secret_lecture_a, _personne(monde))
    assert reponse.status_code == 403
    assert reponse.json() == {"code": "interdit", "message": "Ce jeton ne permet que la lecture."}


def test_jeton_de_territoire_ne_cree_pas_de_personne(api, monde):
    """A délégué creates no file: neither does a territory's token (no structure of its own: 400)."""
    _, secret = jeton(territoire=monde.territoire_a, role_territoire="DELEGUE", portee=JetonAPI.Portee.ECRITURE)
    avant = Resident.objects.count()  # (a factory's random name may be « Lefèvre » too: count, don't search)
    reponse = api.post(reverse("api:personnes"), secret, _personne(monde))
    assert reponse.status_code == 400
    assert Resident.objects.count() == avant


# --- entretiens ----------------------------------------------------------------------------------------


def _entretien(monde, **plus):
    hier = timezone.now() - datetime.timedelta(hours=3)
    return {"mesure": monde.mesure.pk, "type": "TELEPHONE", "date_heure": hier.isoformat(), "notes": "Appel.", **plus}


def test_enregistrer_un_entretien_par_le_service(api, monde):
    reponse = api.post(reverse("api:entretiens"), monde.secret_a, _entretien(monde, duree_minutes=20))
    assert reponse.status_code == 201, reponse.json()
    entretien = Entretien.objects.get(pk=reponse.json()["id"])
    assert (entretien.accompagnement, entretien.type, entretien.duree_minutes) == (monde.mesure, "TELEPHONE", 20)
    assert entretien.auteur == monde.jeton_a.compte
    assert reponse.json()["notes"] == "Appel."


def test_entretien_idempotent(api, monde):
    url, donnees = reverse("api:entretiens"), _entretien(monde)
    avant = Entretien.objects.count()
    ids = {api.post(url, monde.secret_a, donnees, cle="k-1").json()["id"] for _ in range(3)}
    assert len(ids) == 1
    assert Entretien.objects.count() == avant + 1


def test_entretien_sur_la_mesure_d_une_autre_organisation_400(api, monde):
    avant = Entretien.objects.count()
    reponse = api.post(reverse("api:entretiens"), monde.secret_b, _entretien(monde))
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {"mesure": ["Mesure inconnue ou hors de votre organisation."]}
    assert Entretien.objects.count() == avant


def test_entretien_a_venir_refuse_par_le_service_400(api, monde):
    demain = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    reponse = api.post(reverse("api:entretiens"), monde.secret_a, _entretien(monde, date_heure=demain))
    assert reponse.status_code == 400
    assert "planifiez plutôt un rendez-vous" in reponse.json()["champs"]["date_heure"][0]


def test_partenaire_ne_saisit_pas_d_entretien_403(api, monde):
    _, secret = jeton(
        tiers=monde.partenaire.contact_partenaire.tiers,
        compte_partenaire=monde.partenaire,
        portee=JetonAPI.Portee.ECRITURE,
    )
    avant = Entretien.objects.count()
    reponse = api.post(reverse("api:entretiens"), secret, _entretien(monde))
    assert reponse.status_code == 403
    assert reponse.json() == {"code": "interdit", "message": "Vous ne pouvez que consulter ce dossier."}
    assert Entretien.objects.count() == avant


@pytest.mark.parametrize("cle", ["", "x" * 256, "a\nb"])
def test_idempotency_key_invalide_400(api, monde, cle):
    reponse = api.post(reverse("api:entretiens"), monde.secret_a, _entretien(monde), cle=cle)
    assert reponse.status_code == 400
    assert "Idempotency-Key" in reponse.json()["champs"]


# --- n° allocataire --------------------------------------------------------------------------------------


def test_numero_allocataire_cree_et_lu(api, monde):
    reponse = api.post(reverse("api:personnes"), monde.secret_a, _personne(monde, numero_allocataire="123 456a"))
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["numero_allocataire"] == "123456A"
    assert Resident.objects.get(pk=reponse.json()["id"]).numero_allocataire == "123456A"
    lue = api.get(reverse("api:personne", args=[reponse.json()["id"]]), monde.secret_a).json()
    assert lue["numero_allocataire"] == "123456A"


@pytest.mark.parametrize(
    ("numero", "champ", "message"),
    [
        (
            "12-34",
            "numero_allocataire",
            "N° allocataire illisible (« 12-34 ») : des chiffres et des lettres seulement, 20 au plus.",
        ),
        # The model's constraint, said by the service (a conditional unique constraint names no field).
        ("DEJA1", "non_field_errors", "Ce n° allocataire est déjà celui d'une autre personne."),
    ],
)
def test_numero_allocataire_invalide_ou_pris_400(api, monde, numero, champ, message):
    Resident.objects.filter(pk=monde.autre_mesure.resident_id).update(numero_allocataire="DEJA1")
    avant = Resident.objects.count()
    reponse = api.post(reverse("api:personnes"), monde.secret_a, _personne(monde, numero_allocataire=numero))
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {champ: [message]}
    assert Resident.objects.count() == avant


def test_le_partenaire_ne_lit_pas_le_numero_allocataire(api, monde):
    Resident.objects.filter(pk=monde.personne.pk).update(numero_allocataire="7654321")
    assert "numero_allocataire" in api.get(reverse("api:personnes"), monde.secret_a).json()["results"][0]
    personne = api.get(reverse("api:personnes"), monde.secret_partenaire).json()["results"][0]
    assert "numero_allocataire" not in personne
    assert "7654321" not in json.dumps(personne)
