"""The orientation decision through the API: by accompagnement.orientations.decider_orientation only, with
the délégué's rights (a territory's token stands for a délégué insertion), once per Idempotency-Key; a
person out of the token's view is a 404, bad input a 400 in French with nothing written."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import DecisionOrientation
from accounts.models import Role
from api.models import JetonAPI
from api.services import revoquer_jeton
from journal.models import Action, JournalAcces
from residents.models import Resident
from tests.api.conftest import jeton
from tests.residents.factories import ResidentFactory

AUJOURDHUI = timezone.localdate()


@pytest.fixture
def allocataire(monde):
    return ResidentFactory(structure=monde.structure_a, date_ouverture_rsa=AUJOURDHUI - datetime.timedelta(days=20))


@pytest.fixture
def delegue(monde):
    """(token, secret) of territory A's délégué insertion, allowed to write."""
    return jeton(territoire=monde.territoire_a, role_territoire=Role.DELEGUE, portee=JetonAPI.Portee.ECRITURE)


def _url(personne):
    return reverse("api:orientation", args=[personne.pk])


def _decision(monde, **plus):
    return {
        "modalite": "RSA_SOCIOPRO",
        "structure": monde.structure_a.pk,
        "date_decision": AUJOURDHUI.isoformat(),
        **plus,
    }


def test_le_delegue_oriente_par_le_service(api, monde, allocataire, delegue):
    jeton_delegue, secret = delegue
    reponse = api.post(_url(allocataire), secret, _decision(monde, motif=" projet pro "))
    assert reponse.status_code == 201, reponse.json()
    corps = reponse.json()
    assert corps["personne"] == allocataire.pk
    assert corps["modalite"]["code"] == "RSA_SOCIOPRO"
    assert (corps["structure"], corps["date_decision"], corps["motif"], corps["mesure"]) == (
        monde.structure_a.pk,
        AUJOURDHUI.isoformat(),
        "projet pro",
        None,
    )
    decision = DecisionOrientation.objects.get(pk=corps["id"])
    assert decision.decidee_par == jeton_delegue.compte
    allocataire.refresh_from_db()
    assert (allocataire.orientation.code, allocataire.date_orientation) == ("RSA_SOCIOPRO", AUJOURDHUI)
    ligne = JournalAcces.objects.get(resident_id=allocataire.pk)
    assert (ligne.action, ligne.type_objet, ligne.objet_id) == (Action.MODIFICATION, "decisionorientation", decision.pk)


def test_vers_france_travail_sans_organisme(api, monde, allocataire, delegue):
    reponse = api.post(_url(allocataire), delegue[1], _decision(monde, modalite="RSA_EMPLOI", structure=None))
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["structure"] is None
    allocataire.refresh_from_db()
    assert allocataire.structure == monde.structure_a


def test_idempotency_key_une_seule_decision(api, monde, allocataire, delegue):
    reponses = [api.post(_url(allocataire), delegue[1], _decision(monde), cle="orientation-7") for _ in range(2)]
    assert [r.status_code for r in reponses] == [201, 201]
    assert reponses[0].json()["id"] == reponses[1].json()["id"]
    assert DecisionOrientation.objects.filter(resident=allocataire).count() == 1


def _rien_d_ecrit(allocataire):
    allocataire.refresh_from_db()
    return not DecisionOrientation.objects.exists() and allocataire.orientation_id is None


def test_personne_d_un_autre_territoire_404(api, monde, allocataire):
    _, secret = jeton(territoire=monde.territoire_b, role_territoire=Role.DELEGUE, portee=JetonAPI.Portee.ECRITURE)
    reponse = api.post(_url(allocataire), secret, _decision(monde))
    assert reponse.status_code == 404
    assert reponse.json() == {"code": "introuvable", "message": "Introuvable."}
    assert _rien_d_ecrit(allocataire)


def test_personne_inconnue_404(api, monde, delegue):
    reponse = api.post(reverse("api:orientation", args=[10**9]), delegue[1], _decision(monde))
    assert reponse.status_code == 404


def test_jeton_de_structure_voit_mais_n_oriente_pas_403(api, monde, allocataire):
    reponse = api.post(_url(allocataire), monde.secret_a, _decision(monde))
    assert reponse.status_code == 403
    assert reponse.json() == {
        "code": "interdit",
        "message": "L'orientation est décidée par le délégué insertion du territoire de la personne.",
    }
    assert _rien_d_ecrit(allocataire)


def test_conseillere_logement_ne_voit_pas_l_allocataire_404(api, monde, allocataire):
    _, secret = jeton(
        territoire=monde.territoire_a, role_territoire=Role.CONSEILLER_LOGEMENT, portee=JetonAPI.Portee.ECRITURE
    )
    assert api.post(_url(allocataire), secret, _decision(monde)).status_code == 404
    assert _rien_d_ecrit(allocataire)


@pytest.mark.parametrize("consentement", [True, False])
def test_partenaire_n_oriente_pas(api, monde, consentement):
    """With consent the partner sees the person (403: it does not orient); without, it does not (404)."""
    partenaire = monde.partenaire if consentement else monde.partenaire_sans
    _, secret = jeton(
        tiers=partenaire.contact_partenaire.tiers, compte_partenaire=partenaire, portee=JetonAPI.Portee.ECRITURE
    )
    reponse = api.post(_url(monde.personne), secret, _decision(monde))
    assert reponse.status_code == (403 if consentement else 404)
    assert not DecisionOrientation.objects.exists()


def test_jeton_en_lecture_seule_revoque_ou_absent(api, monde, allocataire, delegue):
    _, lecture = jeton(territoire=monde.territoire_a, role_territoire=Role.DELEGUE)
    assert api.post(_url(allocataire), lecture, _decision(monde)).status_code == 403
    assert api.post(_url(allocataire), None, _decision(monde)).status_code == 401
    revoquer_jeton(jeton=delegue[0])
    assert api.post(_url(allocataire), delegue[1], _decision(monde)).status_code == 401
    assert _rien_d_ecrit(allocataire)


@pytest.mark.parametrize(
    ("plus", "champ", "message"),
    [
        ({"modalite": "INCONNUE"}, "modalite", "Modalité inconnue ou hors du RSA : « INCONNUE »."),
        ({"modalite": "ASLL"}, "modalite", "Modalité inconnue ou hors du RSA : « ASLL »."),
        ({"structure": "x"}, "structure", None),
        ({"date_decision": "demain"}, "date_decision", None),
        ({"motif": ["liste"]}, "motif", None),
        ({"age": 3}, "age", "Champ inconnu."),
        ({"date_decision": "2999-01-01"}, "date_decision", "La décision ne peut pas être datée d'un jour à venir."),
        ({"structure": None}, "structure", "Choisissez l'organisme qui accompagnera la personne."),
        (
            {"modalite": "RSA_EMPLOI"},
            "structure",
            "Une orientation vers France Travail ne désigne pas de structure ici.",
        ),
    ],
)
def test_mauvaises_donnees_400_en_francais_rien_ecrit(api, monde, allocataire, delegue, plus, champ, message):
    reponse = api.post(_url(allocataire), delegue[1], _decision(monde, **plus))
    assert reponse.status_code == 400, reponse.json()
    corps = reponse.json()
    assert corps["code"] == "donnees_invalides"
    assert list(corps["champs"]) == [champ]
    if message:
        assert corps["champs"][champ] == [message]
    assert _rien_d_ecrit(allocataire)


def test_organisme_d_un_autre_territoire_400(api, monde, allocataire, delegue):
    reponse = api.post(_url(allocataire), delegue[1], _decision(monde, structure=monde.structure_b.pk))
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {"structure": ["Structure inconnue ou hors de vos territoires."]}
    assert _rien_d_ecrit(allocataire)


def test_deja_accompagnee_au_titre_du_rsa_400(api, monde, delegue):
    """Her réorientation starts from her référent's request, not here (the service says so)."""
    reponse = api.post(_url(monde.personne), delegue[1], _decision(monde))
    assert reponse.status_code == 400
    assert "réorientation part d'une demande" in reponse.json()["champs"]["non_field_errors"][0]
    assert not DecisionOrientation.objects.exists()


def test_corps_enorme_400(api, monde, allocataire, delegue, settings):
    reponse = api.post(_url(allocataire), delegue[1], _decision(monde, motif="x" * settings.API_TAILLE_MAX_OCTETS))
    assert reponse.status_code == 400
    assert reponse.json()["message"].startswith("Requête trop volumineuse")
    assert Resident.objects.get(pk=allocataire.pk).orientation_id is None
