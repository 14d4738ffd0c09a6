"""The engine reads « in force » through avenants (issue 16 §1): an avenant in preparation changes nothing,
a signed one takes over on its effective date; and the CER of a person on the RSA stands for her ASLL plan."""

import datetime

import pytest
import time_machine

from accompagnement.models import Accompagnement
from contrats import services
from contrats.models import Contrat, Partie
from echeances.moteur import Regle, calculer
from referentiel.models import TypeContrat
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import DelegueFactory
from tests.contrats.conftest import JOUR_DU_CONTRAT, brouillon, signer_personne, signer_staff
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import modalite

D = datetime.date
UN_JOUR = datetime.timedelta(days=1)
EFFET = D(2026, 3, 2)
FIN = D(2026, 7, 5)
AUTOUR = [EFFET - UN_JOUR, EFFET, EFFET + UN_JOUR]


@pytest.fixture(autouse=True)
def _media_temporaire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _un_jour_du_contrat():
    """The avenants are prepared on a day inside the contract, before their effective date (never retroactive);
    the engine is then asked about explicit days."""
    with time_machine.travel(JOUR_DU_CONTRAT, tick=False):
        yield


def _de(regle, le):
    return calculer(Accompagnement.objects.all(), le=le, regles={regle})


@pytest.fixture
def delegue(structure):
    return DelegueFactory(territoires=[structure.territoire])


@pytest.fixture
def cer_valide(referent, delegue):
    contrat = brouillon(referent)
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    signer_personne(contrat, referent)
    signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    return services.valider(contrat=contrat, par=delegue, version=contrat.version)


def _avenant_signe(cer, referent):
    avenant = services.preparer_avenant(
        contrat=cer, par=referent, date_effet=EFFET, motif="Objectif logement", version=cer.version
    )
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    signer_personne(avenant, referent)
    signer_staff(avenant, referent, Partie.REFERENT)
    avenant.refresh_from_db()
    return avenant


@pytest.mark.parametrize("etape", ["brouillon", "en validation", "différé", "refusé"])
@pytest.mark.parametrize("le", AUTOUR)
def test_avenant_en_preparation_ne_change_rien(cer_valide, referent, delegue, etape, le):
    if etape == "brouillon":
        services.preparer_avenant(
            contrat=cer_valide, par=referent, date_effet=EFFET, motif="Objectif logement", version=cer_valide.version
        )
    else:
        avenant = _avenant_signe(cer_valide, referent)
        if etape != "en validation":
            service = services.differer if etape == "différé" else services.refuser
            service(contrat=avenant, par=delegue, motif="À préciser", version=avenant.version)
    assert _de(Regle.CONTRAT_MANQUANT, le) == []
    [renouvellement] = _de(Regle.RENOUVELLEMENT, le)
    assert (renouvellement.due_le, renouvellement.contrat_id, renouvellement.cle) == (
        FIN,
        cer_valide.pk,
        f"RENOUVELLEMENT:{cer_valide.pk}",
    )


@pytest.mark.parametrize("le", AUTOUR)
def test_avenant_valide_prend_le_relais_a_sa_date(cer_valide, referent, delegue, le):
    avenant = _avenant_signe(cer_valide, referent)
    services.valider(contrat=avenant, par=delegue, version=avenant.version)
    assert _de(Regle.CONTRAT_MANQUANT, le) == []
    # One alert for the contract, due at its end, kept through the avenant (same key), read on the
    # avenant from its signature on.
    [renouvellement] = _de(Regle.RENOUVELLEMENT, le)
    assert (renouvellement.due_le, renouvellement.contrat_id, renouvellement.cle) == (
        FIN,
        avenant.pk,
        f"RENOUVELLEMENT:{cer_valide.pk}",
    )
    [en_vigueur] = Contrat.objects.en_vigueur(le=le)
    assert en_vigueur == (cer_valide if le < EFFET else avenant)


def test_avenant_valide_puis_fin_du_contrat_sans_renouvellement(cer_valide, referent, delegue):
    avenant = _avenant_signe(cer_valide, referent)
    services.valider(contrat=avenant, par=delegue, version=avenant.version)
    assert _de(Regle.RENOUVELLEMENT, FIN - UN_JOUR)[0].due_le == FIN
    assert _de(Regle.RENOUVELLEMENT, FIN) == []
    [manque] = _de(Regle.CONTRAT_MANQUANT, FIN + UN_JOUR)
    assert manque.due_le == FIN


# --- RSA + ASLL ------------------------------------------------------------------------------------


def _asll_d_une_personne(rsa):
    asll = AccompagnementFactory(modalite=modalite("ASLL"), date_debut=D(2026, 1, 5))
    if rsa:
        asll.resident.date_ouverture_rsa = D(2025, 11, 3)
        asll.resident.save()
    rsa_mesure = AccompagnementFactory(resident=asll.resident, date_debut=D(2026, 1, 5))
    return asll, rsa_mesure


@pytest.mark.parametrize("type_contrat", [TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT])
@pytest.mark.parametrize("le", [D(2026, 1, 5), D(2026, 7, 4), D(2026, 7, 5), D(2026, 7, 6)])
def test_le_cer_en_vigueur_tient_lieu_de_plan_asll_au_rsa(type_contrat, le):
    asll, rsa_mesure = _asll_d_une_personne(rsa=True)
    ContratFactory(
        accompagnement=rsa_mesure,
        type=type_contrat,
        etat=Contrat.Etat.VALIDE,
        date_debut=D(2026, 1, 5),
        date_fin=D(2026, 7, 5),
    )
    manques = {e.accompagnement_id for e in _de(Regle.CONTRAT_MANQUANT, le)}
    en_vigueur = D(2026, 1, 5) <= le < D(2026, 7, 5)
    assert (asll.pk in manques) is not en_vigueur


def test_sans_rsa_ou_sans_cer_en_vigueur_le_plan_asll_manque():
    sans_rsa, rsa_mesure = _asll_d_une_personne(rsa=False)
    ContratFactory(accompagnement=rsa_mesure, etat=Contrat.Etat.VALIDE)
    au_rsa, autre = _asll_d_une_personne(rsa=True)
    ContratFactory(accompagnement=autre, etat=Contrat.Etat.EN_VALIDATION)  # not in force yet
    manques = {e.accompagnement_id for e in _de(Regle.CONTRAT_MANQUANT, D(2026, 3, 2))}
    assert {sans_rsa.pk, au_rsa.pk} <= manques
