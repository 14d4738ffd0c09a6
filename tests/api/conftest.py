"""One world for the API's tests: two structures in two territories, an RSA measure of structure A with an
entretien and a confidential one, a contract with a frozen version, a partner co-referent with consent
and one without; a token for each organisation."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accompagnement.models import Entretien
from accounts.models import Role
from api.models import JetonAPI
from api.services import creer_jeton
from residents.models import Consentement
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory, EntretienFactory
from tests.accounts.factories import AdministrateurFactory, PartenaireFactory, ReferentFactory
from tests.referentiel.factories import StructureFactory, TerritoireFactory
from tests.residents.factories import ConsentementFactory


@pytest.fixture(autouse=True)
def _media_temporaire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Monde:
    pass


def jeton(*, portee=JetonAPI.Portee.LECTURE, **organisation):
    """(JetonAPI, secret) for an organisation (structure=…, territoire=… with role_territoire, or tiers=…
    with compte_partenaire)."""
    return creer_jeton(par=AdministrateurFactory(), nom="SI de test", portee=portee, **organisation)


@pytest.fixture
def monde():
    m = Monde()
    m.territoire_a, m.territoire_b = TerritoireFactory(), TerritoireFactory()
    m.structure_a = StructureFactory(territoire=m.territoire_a)
    m.structure_b = StructureFactory(territoire=m.territoire_b)
    m.referent = ReferentFactory(structures=[m.structure_a])
    m.mesure = AccompagnementFactory(referent=m.referent, resident__nom="Zygmuntowicz", resident__prenom="Aurore")
    m.personne = m.mesure.resident
    m.entretien = EntretienFactory(
        accompagnement=m.mesure, notes="Démarches CAF faites.", date_heure=timezone.now() - datetime.timedelta(days=2)
    )
    m.confidentiel = EntretienFactory(
        accompagnement=m.mesure,
        notes="Note confidentielle : violences.",
        confidentiel=True,
        date_heure=timezone.now() - datetime.timedelta(days=1),
    )
    m.autre_mesure = AccompagnementFactory(referent=ReferentFactory(structures=[m.structure_b]))
    m.partenaire = PartenaireFactory()
    m.partenaire_sans = PartenaireFactory()
    CoReferentFactory(accompagnement=m.mesure, contact=m.partenaire.contact_partenaire)
    CoReferentFactory(accompagnement=m.mesure, contact=m.partenaire_sans.contact_partenaire)
    ConsentementFactory(
        resident=m.personne,
        tiers=m.partenaire.contact_partenaire.tiers,
        categories=[Consentement.Categorie.PRESENCE, Consentement.Categorie.IDENTITE],
        date_consentement=datetime.date(2026, 1, 5),
    )
    m.jeton_a, m.secret_a = jeton(structure=m.structure_a, portee=JetonAPI.Portee.ECRITURE)
    m.jeton_lecture_a, m.secret_lecture_a = jeton(structure=m.structure_a)
    m.jeton_b, m.secret_b = jeton(structure=m.structure_b, portee=JetonAPI.Portee.ECRITURE)
    m.jeton_territoire, m.secret_territoire = jeton(territoire=m.territoire_a, role_territoire=Role.DELEGUE)
    m.jeton_partenaire, m.secret_partenaire = jeton(
        tiers=m.partenaire.contact_partenaire.tiers, compte_partenaire=m.partenaire
    )
    m.jeton_partenaire_sans, m.secret_partenaire_sans = jeton(
        tiers=m.partenaire_sans.contact_partenaire.tiers, compte_partenaire=m.partenaire_sans
    )
    return m


@pytest.fixture
def api():
    return Appels()


class Appels:
    """An HTTP client of the API: `api.get(url, secret)`, `api.post(url, secret, donnees, cle=…)`."""

    def __init__(self):
        self.client = APIClient()

    def _entetes(self, secret, cle=None):
        entetes = {}
        if secret is not None:
            entetes["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        if cle is not None:
            entetes["HTTP_IDEMPOTENCY_KEY"] = cle
        return entetes

    def get(self, url, secret, **params):
        return self.client.get(url, params, **self._entetes(secret))

    def post(self, url, secret, donnees, cle=None):
        return self.client.post(url, donnees, format="json", **self._entetes(secret, cle))

    def post_brut(self, url, secret, corps, content_type="application/json"):
        return self.client.generic("POST", url, corps, content_type=content_type, **self._entetes(secret))


def ids(reponse):
    return [r["id"] for r in reponse.json()["results"]]


ENTRETIEN_HONORE = Entretien.Statut.HONORE
