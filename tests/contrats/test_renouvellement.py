"""Renewal: from one month before the end, no gap, no overlap (the database refuses it), ASLL limit."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accompagnement.models import Objectif
from contrats import services
from contrats.models import Contrat, Partie
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import ObjectifFactory

from .conftest import brouillon, renouveler, signer_personne, signer_staff
from .factories import ContratFactory

E = Contrat.Etat
FIN = datetime.date(2026, 7, 5)
SUIVANTE = datetime.date(2027, 1, 5)


def test_pas_avant_un_mois_avant_la_fin(cer_valide, referent):
    with pytest.raises(ValidationError, match="à partir du 05/06/2026"):
        renouveler(contrat=cer_valide, par=referent, le=datetime.date(2026, 6, 4))
    nouveau = renouveler(contrat=cer_valide, par=referent, le=datetime.date(2026, 6, 5))
    assert nouveau.date_debut == cer_valide.date_fin == FIN
    assert nouveau.date_fin == datetime.date(2027, 1, 5)
    assert nouveau.precedent == cer_valide and nouveau.numero_renouvellement == 1


def test_le_renouvellement_reprend_les_objectifs_non_atteints(cer_valide, referent):
    acc = cer_valide.accompagnement
    atteint = ObjectifFactory(accompagnement=acc, etat=Objectif.Etat.ATTEINT)
    cer_valide.lignes_objectifs.create(objectif=atteint, ordre=5)
    nouveau = renouveler(contrat=cer_valide, par=referent, le=FIN)
    assert list(nouveau.objectifs.values_list("libelle", flat=True)) == ["Trouver un stage"]


def test_un_seul_renouvellement_en_preparation(cer_valide, referent):
    renouveler(contrat=cer_valide, par=referent, le=FIN)
    with pytest.raises(ValidationError, match="déjà en préparation"):
        renouveler(contrat=cer_valide, par=referent, le=FIN)


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
    nouveau = renouveler(contrat=cer_valide, par=referent, le=FIN)
    with pytest.raises(ValidationError, match="ni trou"):
        services.modifier_brouillon(
            contrat=nouveau,
            par=referent,
            date_debut=datetime.date(2026, 7, 10),
            date_fin=datetime.date(2027, 1, 10),
            version=nouveau.version,
        )
    nouveau.refresh_from_db()
    assert nouveau.date_debut == FIN


def test_troisieme_renouvellement_asll_refuse(referent):
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE, numero_renouvellement=2)
    contrat.refresh_from_db()
    with pytest.raises(ValidationError, match="déjà été renouvelé 2 fois"):
        renouveler(contrat=contrat, par=referent, le=FIN)
    assert Contrat.objects.count() == 1


def test_deuxieme_renouvellement_asll_accepte(referent):
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE, numero_renouvellement=1)
    contrat.refresh_from_db()
    nouveau = renouveler(contrat=contrat, par=referent, le=FIN)
    assert nouveau.numero_renouvellement == 2


# --- a cancelled or refused renewal does not block the next one -----------------------------------


def test_un_renouvellement_annule_puis_un_nouveau(cer_valide, referent, client):
    premier = renouveler(contrat=cer_valide, par=referent, le=FIN)
    services.annuler(contrat=premier, par=referent, motif="Erreur d'objectifs", version=premier.version)
    assert cer_valide.successeur() is None
    assert cer_valide.statut_temporel(le=datetime.date(2026, 8, 1)) == "expiré"
    client.force_login(referent)
    with time_machine.travel(datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC)):
        assert "Préparer le renouvellement" in client.get(cer_valide.get_absolute_url()).content.decode()
    second = renouveler(contrat=cer_valide, par=referent, le=FIN)
    assert (second.precedent, second.date_debut, second.numero_renouvellement) == (cer_valide, FIN, 1)
    assert cer_valide.successeur() == second
    assert cer_valide.statut_temporel(le=datetime.date(2026, 8, 1)) == "renouvelé"


def test_un_renouvellement_refuse_puis_un_nouveau(cer_valide, referent, delegue):
    refuse = renouveler(contrat=cer_valide, par=referent, le=FIN)
    refuse = services.soumettre(contrat=refuse, par=referent, version=refuse.version)
    signer_personne(refuse, referent)
    signer_staff(refuse, referent, Partie.REFERENT)
    refuse.refresh_from_db()
    services.refuser(contrat=refuse, par=delegue, motif="Objectifs non mesurables", version=refuse.version)
    nouveau = renouveler(contrat=cer_valide, par=referent, le=FIN)
    assert nouveau.etat == E.BROUILLON and nouveau.precedent == cer_valide


def test_la_base_refuse_deux_renouvellements_vivants(referent):
    contrat = brouillon(referent)
    ContratFactory(accompagnement=contrat.accompagnement, precedent=contrat, date_debut=FIN, date_fin=SUIVANTE)
    # A tripartite document is outside the overlap exclusion: only the one-renewal rule is left to refuse it.
    with pytest.raises(IntegrityError, match="contrat_un_seul_renouvellement"), transaction.atomic():
        ContratFactory(
            accompagnement=contrat.accompagnement,
            precedent=contrat,
            date_debut=FIN,
            date_fin=SUIVANTE,
            type=TypeContrat.TRIPARTITE,
        )


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_rompre_apres_un_renouvellement_annule(cer_valide, referent):
    renouvellement = renouveler(contrat=cer_valide, par=referent, le=FIN)
    services.annuler(contrat=renouvellement, par=referent, motif="Déménagement prévu", version=renouvellement.version)
    contrat = services.rompre(
        contrat=cer_valide,
        par=referent,
        motif="Déménagement",
        le=datetime.date(2026, 6, 30),
        version=cer_valide.version,
    )
    assert contrat.etat == E.ROMPU


# --- no gap: guaranteed by the database --------------------------------------------------------------


def test_la_base_refuse_un_renouvellement_qui_laisse_un_trou(referent):
    contrat = brouillon(referent)
    with pytest.raises(IntegrityError, match="contrat_renouvellement_sans_trou"), transaction.atomic():
        ContratFactory(
            accompagnement=contrat.accompagnement,
            precedent=contrat,
            date_debut=FIN + datetime.timedelta(days=1),
            date_fin=SUIVANTE,
        )
    annule = ContratFactory(
        accompagnement=contrat.accompagnement,
        precedent=contrat,
        etat=E.ANNULE,
        date_debut=FIN + datetime.timedelta(days=1),
        date_fin=SUIVANTE,
    )
    assert annule.pk  # a cancelled draft is not bound by its dates


def test_la_base_refuse_de_deplacer_la_fin_d_un_contrat_renouvele(referent):
    contrat = brouillon(referent)
    suivant = ContratFactory(
        accompagnement=contrat.accompagnement, precedent=contrat, date_debut=FIN, date_fin=SUIVANTE
    )
    with pytest.raises(IntegrityError, match="contrat_renouvellement_sans_trou"), transaction.atomic():
        Contrat.objects.filter(pk=contrat.pk).update(date_fin=datetime.date(2026, 6, 1))
    with pytest.raises(IntegrityError, match="contrat_renouvellement_sans_trou"), transaction.atomic():
        Contrat.objects.filter(pk=suivant.pk).update(date_debut=datetime.date(2026, 7, 6))
    Contrat.objects.filter(pk=suivant.pk).update(etat=E.ANNULE)
    Contrat.objects.filter(pk=contrat.pk).update(date_fin=datetime.date(2026, 6, 1))


# --- "nouveau" respects the renewal cap and the continuity -------------------------------------------


def _signe(contrat):
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE)
    contrat.refresh_from_db()
    return contrat


def test_nouveau_refuse_un_quatrieme_plan_asll(referent):
    plan = _signe(brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL))
    acc = plan.accompagnement
    for _ in range(2):
        plan = _signe(renouveler(contrat=plan, par=referent, le=plan.date_fin))
    # Three plans; the third renewal is refused both ways, with the référentiel's reason.
    with pytest.raises(ValidationError, match="déjà été renouvelé 2 fois"):
        renouveler(contrat=plan, par=referent, le=plan.date_fin)
    Contrat.objects.filter(pk=plan.pk).update(numero_renouvellement=0)  # even if the counter lies
    with pytest.raises(ValidationError, match="au plus 3, le premier et 2 renouvellements"):
        services.creer_brouillon(accompagnement=acc, par=referent, type=TypeContrat.PLAN_ASLL, date_debut=plan.date_fin)
    assert Contrat.objects.filter(accompagnement=acc).count() == 3


def test_nouveau_refuse_un_cer_apres_un_trou(cer_valide, referent):
    with pytest.raises(ValidationError, match="le suivant en est le renouvellement.*05/07/2026"):
        services.creer_brouillon(
            accompagnement=cer_valide.accompagnement,
            par=referent,
            type=TypeContrat.CER,
            date_debut=datetime.date(2026, 9, 1),
        )
    assert Contrat.objects.count() == 1


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_apres_une_rupture_un_nouveau_cer_repart(cer_valide, referent):
    services.rompre(
        contrat=cer_valide,
        par=referent,
        motif="Incarcération",
        le=datetime.date(2026, 3, 1),
        version=cer_valide.version,
    )
    nouveau = services.creer_brouillon(
        accompagnement=cer_valide.accompagnement,
        par=referent,
        type=TypeContrat.CER,
        date_debut=datetime.date(2026, 9, 1),
    )
    assert nouveau.precedent is None and nouveau.numero_renouvellement == 0
