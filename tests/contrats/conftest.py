import datetime

import pytest
import time_machine
from django.test import RequestFactory

from accompagnement.models import Objectif
from contrats import services
from contrats.models import Partie, Signature
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, DiagnosticFactory, ObjectifFactory
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory
from tests.referentiel.factories import ContactPartenaireFactory

DEBUT = datetime.date(2026, 1, 5)
# A day inside the contracts built here (05/01/2026 → 05/07/2026), before every effective date the tests use:
# an avenant or a rupture acts on a contract in force today, and an avenant is never retroactive.
JOUR_DU_CONTRAT = datetime.datetime(2026, 1, 10, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _media_temporaire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def un_jour_du_contrat():
    with time_machine.travel(JOUR_DU_CONTRAT, tick=False):
        yield


# structure, referent, collegue, responsable, etranger: tests/conftest.py.


@pytest.fixture
def delegue(structure):
    return DelegueFactory(territoires=[structure.territoire])


def mesure(referent, code=Modalite.Code.RSA_SOCIOPRO, diagnostic=True, **kwargs):
    """A measure of `code`; an RSA one has had its diagnostic global partagé (which its first contract
    needs) unless `diagnostic=False`."""
    acc = AccompagnementFactory(
        referent=referent,
        structure=referent.structures.first(),
        modalite=Modalite.objects.get(code=code),
        date_debut=DEBUT,
        **kwargs,
    )
    if diagnostic and acc.modalite.is_rsa:
        DiagnosticFactory(accompagnement=acc)
    return acc


def brouillon(referent, *, type=TypeContrat.CER, code=Modalite.Code.RSA_SOCIOPRO, debut=DEBUT, **kwargs):
    acc = mesure(referent, code=code)
    objectif = ObjectifFactory(accompagnement=acc, domaine=Objectif.Domaine.EMPLOI, libelle="Trouver un stage")
    if type in (TypeContrat.PLAN_ASLL, TypeContrat.TRIPARTITE):
        kwargs.setdefault("partenaire", ContactPartenaireFactory())
    return services.creer_brouillon(
        accompagnement=acc, par=referent, type=type, date_debut=debut, objectifs=[objectif], **kwargs
    )


def signer_staff(contrat, user, partie):
    return services.signer(
        contrat=contrat,
        partie=partie,
        par=user,
        numero_version=contrat.numero_version,
        methode=Signature.Methode.SESSION,
        mot_de_passe=MOT_DE_PASSE,
        adresse_ip="10.0.0.1",
        navigateur="pytest",
        requete=RequestFactory().post("/"),
    )


def signer_personne(contrat, referent, partie=Partie.RESIDENT):
    from contrats.pdf import nom_partie

    return services.signer(
        contrat=contrat,
        partie=partie,
        par=referent,
        numero_version=contrat.numero_version,
        methode=Signature.Methode.PRESENCE,
        nom_signataire=nom_partie(contrat, partie),
        consentement=True,
        adresse_ip="10.0.0.2",
        navigateur="pytest",
    )


@pytest.fixture
def cer_soumis(referent):
    contrat = brouillon(referent)
    return services.soumettre(contrat=contrat, par=referent, version=contrat.version)


@pytest.fixture
def cer_valide(cer_soumis, referent, delegue):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    cer_soumis.refresh_from_db()
    return services.valider(contrat=cer_soumis, par=delegue, version=cer_soumis.version)


def evaluation_type(contrat):
    """What an évaluation partagée of the contract's end could say: each objective at its current state."""
    from accompagnement.models import EvaluationObjectif

    N = EvaluationObjectif.Niveau
    return {
        "niveaux": {
            ligne.objectif_id: {"niveau": N.ATTEINT if ligne.objectif.etat == Objectif.Etat.ATTEINT else N.PARTIEL}
            for ligne in contrat.lignes_objectifs.select_related("objectif")
        },
        "cooperation": "Présente à chaque rendez-vous, elle a mené ses démarches.",
        "satisfaction": "Je suis contente, j'ai avancé.",
    }


def renouveler(*, contrat, par, le=None):
    """services.preparer_renouvellement, with the évaluation partagée its kind requires when not done yet."""
    from contrats import evaluation

    a_evaluer = evaluation.requise(contrat) and evaluation.de(contrat) is None
    return services.preparer_renouvellement(
        contrat=contrat, par=par, le=le, evaluation=evaluation_type(contrat) if a_evaluer else None
    )
