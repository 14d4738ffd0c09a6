"""Renewal: from one month before the end, no gap, no overlap (the database refuses it), ASLL limit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accompagnement.models import Objectif
from contrats import services
from contrats.models import Contrat
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import ObjectifFactory

from .conftest import brouillon
from .factories import ContratFactory

E = Contrat.Etat
FIN = datetime.date(2026, 7, 5)


def test_pas_avant_un_mois_avant_la_fin(cer_valide, referent):
    with pytest.raises(ValidationError, match="à partir du 05/06/2026"):
        services.preparer_renouvellement(contrat=cer_valide, par=referent, le=datetime.date(2026, 6, 4))
    nouveau = services.preparer_renouvellement(contrat=cer_valide, par=referent, le=datetime.date(2026, 6, 5))
    assert nouveau.date_debut == cer_valide.date_fin == FIN
    assert nouveau.date_fin == datetime.date(2027, 1, 5)
    assert nouveau.precedent == cer_valide and nouveau.numero_renouvellement == 1


def test_le_renouvellement_reprend_les_objectifs_non_atteints(cer_valide, referent):
    acc = cer_valide.accompagnement
    atteint = ObjectifFactory(accompagnement=acc, etat=Objectif.Etat.ATTEINT)
    cer_valide.lignes_objectifs.create(objectif=atteint, ordre=5)
    nouveau = services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN)
    assert list(nouveau.objectifs.values_list("libelle", flat=True)) == ["Trouver un stage"]


def test_un_seul_renouvellement_en_preparation(cer_valide, referent):
    services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN)
    with pytest.raises(ValidationError, match="déjà en préparation"):
        services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN)


def test_la_base_refuse_deux_contrats_qui_se_chevauchent(referent):
    contrat = brouillon(referent)
    with pytest.raises(IntegrityError, match="contrat_sans_chevauchement"):
        ContratFactory(
            accompagnement=contrat.accompagnement,
            date_debut=datetime.date(2026, 7, 4),
            date_fin=datetime.date(2026, 9, 1),
        )


def test_la_base_accepte_un_contrat_qui_commence_le_jour_de_fin(referent):
    contrat = brouillon(referent)
    suivant = ContratFactory(accompagnement=contrat.accompagnement, date_debut=FIN, date_fin=datetime.date(2027, 1, 5))
    assert suivant.pk


def test_un_contrat_refuse_ne_bloque_pas_les_dates(referent):
    contrat = brouillon(referent)
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.REFUSE)
    assert ContratFactory(accompagnement=contrat.accompagnement).pk


def test_le_service_refuse_un_chevauchement_en_francais(referent):
    contrat = brouillon(referent)
    with pytest.raises(ValidationError, match="chevauchent"):
        services.creer_brouillon(
            accompagnement=contrat.accompagnement,
            par=referent,
            type=TypeContrat.CER,
            date_debut=datetime.date(2026, 3, 1),
        )
    assert Contrat.objects.count() == 1


def test_un_renouvellement_ne_laisse_pas_de_trou(cer_valide, referent):
    nouveau = services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN)
    with pytest.raises(ValidationError, match="ni trou"):
        services.modifier_brouillon(
            contrat=nouveau, par=referent, date_debut=datetime.date(2026, 7, 10), date_fin=datetime.date(2027, 1, 10)
        )
    nouveau.refresh_from_db()
    assert nouveau.date_debut == FIN


def test_troisieme_renouvellement_asll_refuse(referent):
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE, numero_renouvellement=2)
    contrat.refresh_from_db()
    with pytest.raises(ValidationError, match="déjà été renouvelé 2 fois"):
        services.preparer_renouvellement(contrat=contrat, par=referent, le=FIN)
    assert Contrat.objects.count() == 1


def test_deuxieme_renouvellement_asll_accepte(referent):
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE, numero_renouvellement=1)
    contrat.refresh_from_db()
    nouveau = services.preparer_renouvellement(contrat=contrat, par=referent, le=FIN)
    assert nouveau.numero_renouvellement == 2
