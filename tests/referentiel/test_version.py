"""referentiel_en_vigueur() keeps what it read until PostgreSQL says the référentiel changed."""

import pytest
from django.db import transaction

from referentiel.models import Modalite, Parametre
from referentiel.regles import referentiel_en_vigueur
from tests.referentiel.factories import TerritoireFactory


@pytest.fixture(autouse=True)
def territoire():
    return TerritoireFactory()  # the values are given per territory


def _age_alerte():
    territoires, _regles, parametres = referentiel_en_vigueur()
    return {parametres[(t.pk, "FJT_AGE_ALERTE")] for t in territoires}


def test_une_lecture_sans_changement_coute_une_requete(django_assert_num_queries):
    referentiel_en_vigueur()
    with django_assert_num_queries(1):
        referentiel_en_vigueur()


def test_toute_ecriture_est_vue_aussitot_meme_par_update_ou_annulee():
    national = Parametre.objects.filter(code="FJT_AGE_ALERTE", territoire=None, departement=None)
    avant = _age_alerte()
    national.update(valeur="31")  # no signal: only the database knows
    assert _age_alerte() == {31}
    with pytest.raises(RuntimeError), transaction.atomic():
        national.update(valeur="32")
        assert _age_alerte() == {32}
        raise RuntimeError
    assert _age_alerte() == {31}  # the rollback took the version back with the value
    national.update(valeur=str(next(iter(avant))))
    assert _age_alerte() == avant


def test_une_modalite_modifiee_change_ses_regles():
    modalite = Modalite.objects.filter(accompagnee_ici=True).first()
    modalite.intervalle_contact = "P9D"
    modalite.save()
    _territoires, regles, _parametres = referentiel_en_vigueur()
    assert {r.intervalle_contact for (t, m), r in regles.items() if m == modalite.pk} == {"P9D"}
