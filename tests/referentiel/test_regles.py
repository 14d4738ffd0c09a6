"""The référentiel is data: national values, overridden by a département, then by a territory."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referentiel.delais import libelle_delai, relativedelta_de, valider_delai
from referentiel.models import Modalite, Parametre, SurchargeModalite
from referentiel.regles import parametre, parametre_delta, parametres_par_territoire, regles, regles_par_territoire
from tests.referentiel.factories import TerritoireFactory


def test_un_mois_ajoute_des_mois_calendaires():
    assert datetime.date(2026, 1, 31) + relativedelta_de("P1M") == datetime.date(2026, 2, 28)
    assert datetime.date(2026, 3, 1) + relativedelta_de("P6W") == datetime.date(2026, 4, 12)
    assert datetime.date(2026, 3, 1) + relativedelta_de("P15D") == datetime.date(2026, 3, 16)


def test_le_meme_delai_donne_la_meme_date_en_sql():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (%s::date + %s::interval)::date, (%s::date + %s::interval)::date",
            ["2026-01-31", "P1M", "2026-03-01", "P6W"],
        )
        sql_mois, sql_semaines = cursor.fetchone()
    assert sql_mois == datetime.date(2026, 1, 31) + relativedelta_de("P1M")
    assert sql_semaines == datetime.date(2026, 3, 1) + relativedelta_de("P6W")


@pytest.mark.parametrize(
    ("delai", "libelle"), [("P15D", "15 jours"), ("P6W", "6 semaines"), ("P1M", "1 mois"), ("P1Y", "1 an"), ("", "—")]
)
def test_libelle_francais(delai, libelle):
    assert libelle_delai(delai) == libelle


@pytest.mark.parametrize("mauvais", ["15 jours", "P", "1M", "PT15M", "P1.5M"])
def test_un_delai_mal_ecrit_est_refuse_en_francais(mauvais):
    with pytest.raises(ValidationError, match="Délai invalide"):
        valider_delai(mauvais)


def test_valeurs_nationales_du_referentiel():
    territoire = TerritoireFactory()
    par_code = {r.code: r for r in regles_par_territoire([territoire]).values()}
    assert par_code["RSA_MOBILISATION"].intervalle_contact == "P15D"
    assert par_code["RSA_MOBILISATION"].intervalle_rencontre == "P6W"
    assert par_code["RSA_SOCIOPRO"].norme_file_active == 70
    assert par_code["RSA_VEILLE"].duree_contrat == "P12M"
    assert par_code["RSA_VEILLE"].intervalle_rencontre == "P6M"
    assert par_code["FJT_REGULIER"].intervalle_rencontre == "P1M"
    assert par_code["ASLL"].renouvellements_max == 2
    assert not par_code["RSA_EMPLOI"].accompagnee_ici


def test_un_territoire_surcharge_son_departement_qui_surcharge_la_valeur_nationale():
    epinal = TerritoireFactory(nom="Épinal")
    saint_die = TerritoireFactory(nom="Saint-Dié", departement=epinal.departement)
    asll = Modalite.objects.get(code="ASLL")
    SurchargeModalite.objects.create(modalite=asll, departement=epinal.departement, norme_file_active=35)
    SurchargeModalite.objects.create(
        modalite=asll, territoire=saint_die, norme_file_active=30, intervalle_contact="P1M"
    )

    assert regles(epinal, asll).norme_file_active == 35
    assert regles(epinal, asll).intervalle_contact == "P15D"  # not overridden: national value
    assert regles(saint_die, asll).norme_file_active == 30
    assert regles(saint_die, asll).intervalle_contact == "P1M"
    assert regles(saint_die, asll).renouvellements_max == 2


def test_parametres_surcharges_par_territoire():
    epinal = TerritoireFactory()
    autre = TerritoireFactory(departement=epinal.departement)
    Parametre.objects.create(code="BIENTOT_DU", nature="DELAI", valeur="P10D", territoire=epinal)

    assert parametre("BIENTOT_DU") == "P7D"
    assert parametre("BIENTOT_DU", epinal) == "P10D"
    assert parametre("BIENTOT_DU", autre) == "P7D"
    assert parametre("ABSENCES_SUCCESSIVES", autre) == 2
    assert parametre_delta("RENOUVELLEMENT_PREAVIS").months == 1
    assert parametres_par_territoire([epinal])[(epinal.pk, "CER_SIGNATURE_DELAI")] == "P2M"


def test_un_parametre_absent_est_une_erreur_claire():
    Parametre.objects.filter(code="BIENTOT_DU").delete()
    with pytest.raises(LookupError, match="BIENTOT_DU"):
        parametre("BIENTOT_DU")


def test_une_surcharge_a_un_seul_niveau():
    territoire = TerritoireFactory()
    asll = Modalite.objects.get(code="ASLL")
    with pytest.raises(IntegrityError), transaction.atomic():
        SurchargeModalite.objects.create(modalite=asll, departement=territoire.departement, territoire=territoire)


def test_la_modification_du_referentiel_est_historisee():
    asll = Modalite.objects.get(code="ASLL")
    asll.norme_file_active = 45
    asll.save()
    assert asll.history.count() >= 1
    assert asll.history.first().norme_file_active == 45
