"""Eligibility at its boundaries, on the birthday itself: 16 (and the conditions under 18), the warning
above FJT_AGE_ALERTE (25), refused above age_max (30); no dependent children."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from admissions.eligibilite import verifier
from referentiel.models import Parametre
from tests.admissions.factories import Residence

LE = datetime.date(2026, 3, 10)


def _ne_il_y_a(annees, decalage):
    """Born `annees` years before LE, shifted by `decalage` days: +1 means the birthday is tomorrow
    (still `annees - 1` today), 0 that it is today, -1 that it was yesterday."""
    return LE.replace(year=LE.year - annees) + datetime.timedelta(days=decalage)


def _verdict(r, annees, decalage, conditions=""):
    r.jeune.date_naissance = _ne_il_y_a(annees, decalage)
    return verifier(resident=r.jeune, residence=r.residence, le=LE, conditions_mineur=conditions)


@pytest.fixture
def r():
    return Residence()


@pytest.mark.parametrize(("decalage", "eligible"), [(1, False), (0, True), (-1, True)])
def test_seize_ans_le_jour_de_l_anniversaire(r, decalage, eligible):
    verdict = _verdict(r, 16, decalage, conditions="Autorisation parentale et prise en charge ASE.")
    assert verdict.eligible is eligible
    if not eligible:
        assert "à partir de 16 ans" in verdict.erreurs[0]


@pytest.mark.parametrize(("decalage", "conditions_exigees"), [(1, True), (0, False), (-1, False)])
def test_conditions_exigees_avant_dix_huit_ans(r, decalage, conditions_exigees):
    verdict = _verdict(r, 18, decalage)
    assert (not verdict.eligible) is conditions_exigees
    if conditions_exigees:
        assert "conditions d'accueil d'un mineur" in verdict.erreurs[0]
        assert _verdict(r, 18, decalage, conditions="Autorisation du juge.").eligible


@pytest.mark.parametrize(("decalage", "averti"), [(1, False), (0, True), (-1, True)])
def test_avertissement_au_dela_de_vingt_cinq_ans(r, decalage, averti):
    verdict = _verdict(r, 26, decalage)
    assert verdict.eligible
    assert bool(verdict.avertissements) is averti


@pytest.mark.parametrize(("decalage", "eligible"), [(1, True), (0, False), (-1, False)])
def test_refus_au_dela_de_trente_ans(r, decalage, eligible):
    verdict = _verdict(r, 31, decalage)
    assert verdict.eligible is eligible
    if not eligible:
        assert "au-delà de 30 ans" in verdict.erreurs[0]


def test_seuil_d_avertissement_lu_dans_le_referentiel(r):
    Parametre.objects.filter(code="FJT_AGE_ALERTE", departement=None, territoire=None).update(valeur="27")
    assert not _verdict(r, 27, 0).avertissements
    assert _verdict(r, 28, 0).avertissements


def test_enfant_a_charge_refuse(r):
    r.jeune.enfants_a_charge = 1
    verdict = verifier(resident=r.jeune, residence=r.residence, le=LE)
    assert not verdict.eligible and "enfant" in verdict.erreurs[0]


def test_candidature_refusee_si_ineligible_rien_n_est_enregistre(r):
    r.jeune.enfants_a_charge = 2
    r.jeune.save()
    with pytest.raises(ValidationError, match="enfant"):
        r.candidature()
    assert not r.jeune.candidatures.exists()
