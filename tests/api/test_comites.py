"""The committees' decisions through the API: exactly those the committees' screens show the token
(DecisionComite.objects.visibles_par: committee and measure both visible), none for a partner."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from api.services import revoquer_jeton
from journal.models import JournalAcces
from pilotage.models import ComiteSuivi, DecisionComite
from tests.accounts.factories import DelegueFactory
from tests.api.conftest import ids, jeton

JOUR = datetime.date(2026, 3, 31)


def decision_du_comite(monde, mesure, le=JOUR, **plus):
    comite = ComiteSuivi.objects.create(
        type=ComiteSuivi.Type.TRIMESTRIEL_RSA,
        date=le,
        referent=mesure.referent,
        territoire=mesure.structure.territoire,
        president=DelegueFactory(territoires=[mesure.structure.territoire]),
    )
    return DecisionComite.objects.create(
        comite=comite, accompagnement=mesure, decision=DecisionComite.Choix.POURSUITE, **plus
    )


@pytest.fixture
def decision(monde):
    return decision_du_comite(
        monde, monde.mesure, commentaire="Reprise de formation.", action="Rappeler", action_due_le=JOUR
    )


def test_la_structure_lit_les_decisions_de_ses_referents(api, monde, decision):
    reponse = api.get(reverse("api:decisions_comite"), monde.secret_a)
    assert ids(reponse) == [decision.pk]
    lue = reponse.json()["results"][0]
    assert lue["comite"] == {
        "id": decision.comite_id,
        "type": "TRIMESTRIEL_RSA",
        "date": "2026-03-31",
        "etat": "OUVERT",
    }
    assert (lue["mesure"], lue["personne"], lue["decision"]) == (monde.mesure.pk, monde.personne.pk, "POURSUITE")
    assert (lue["action"], lue["action_due_le"], lue["modalite_cible"]) == ("Rappeler", "2026-03-31", None)
    assert JournalAcces.objects.filter(resident_id=monde.personne.pk, type_objet="decisioncomite").count() == 1


def test_le_delegue_du_territoire_les_lit_aussi(api, monde, decision):
    _, secret = jeton(territoire=monde.territoire_a, role_territoire=Role.DELEGUE)
    assert ids(api.get(reverse("api:decisions_comite"), secret)) == [decision.pk]
    _, ailleurs = jeton(territoire=monde.territoire_b, role_territoire=Role.DELEGUE)
    assert ids(api.get(reverse("api:decisions_comite"), ailleurs)) == []
    assert api.get(reverse("api:decision_comite", args=[decision.pk]), ailleurs).status_code == 404


def test_autre_structure_404_et_liste_vide(api, monde, decision):
    assert ids(api.get(reverse("api:decisions_comite"), monde.secret_b)) == []
    reponse = api.get(reverse("api:decision_comite", args=[decision.pk]), monde.secret_b)
    assert reponse.status_code == 404
    assert "Reprise" not in reponse.content.decode()


@pytest.mark.parametrize("secret", ["secret_partenaire", "secret_partenaire_sans"])
def test_partenaire_avec_ou_sans_consentement_aucune_decision(api, monde, decision, secret):
    """No consent category covers a committee's decisions (the partner has no committee screen)."""
    assert ids(api.get(reverse("api:decisions_comite"), getattr(monde, secret))) == []
    assert api.get(reverse("api:decision_comite", args=[decision.pk]), getattr(monde, secret)).status_code == 404


def test_sans_jeton_ou_revoque_401(api, monde, decision):
    url = reverse("api:decision_comite", args=[decision.pk])
    assert api.get(url, None).status_code == 401
    revoquer_jeton(jeton=monde.jeton_a)
    assert api.get(url, monde.secret_a).status_code == 401


def test_filtres(api, monde, decision):
    from tests.accompagnement.factories import AccompagnementFactory

    autre = decision_du_comite(monde, AccompagnementFactory(referent=monde.referent), le=JOUR.replace(day=30))
    url = reverse("api:decisions_comite")
    assert ids(api.get(url, monde.secret_a, personne=monde.personne.pk)) == [decision.pk]
    assert ids(api.get(url, monde.secret_a, comite=autre.comite_id)) == [autre.pk]
    assert ids(api.get(url, monde.secret_a, mesure=autre.accompagnement_id)) == [autre.pk]
    assert api.get(url, monde.secret_a, comite="x").status_code == 400
