"""The other rules, each at the day before, the day of and the day after its threshold."""

import datetime
from decimal import Decimal

import pytest

from accompagnement.models import Accompagnement, Entretien
from contrats.models import Contrat
from contrats.services import renouvellement_possible_le
from echeances.moteur import Etat, Regle, calculer
from referentiel.models import Parametre, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory, ResponsableFactory
from tests.contrats.factories import ContratFactory
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import modalite

D = datetime.date
AUTOUR = [(-1, Etat.BIENTOT), (0, Etat.BIENTOT), (1, Etat.EN_RETARD)]


def _de(regle, le, qs=None):
    return calculer(Accompagnement.objects.all() if qs is None else qs, le=le, regles={regle})


@pytest.mark.parametrize(("decalage", "etat"), [(-1, Etat.A_JOUR), (0, Etat.BIENTOT), (1, Etat.BIENTOT)])
def test_renouvellement_un_mois_avant_la_fin(decalage, etat):
    """Due at the end (no gap), raised from one month before it: the day contrats allows the renewal."""
    contrat = ContratFactory(etat=Contrat.Etat.VALIDE, date_debut=D(2026, 1, 5), date_fin=D(2026, 7, 5))
    le = D(2026, 6, 5) + datetime.timedelta(days=decalage)
    [e] = _de(Regle.RENOUVELLEMENT, le)
    assert (e.due_le, e.etat, e.contrat_id) == (D(2026, 7, 5), etat, contrat.pk)
    if decalage >= 0:
        assert renouvellement_possible_le(contrat) <= le


def test_renouvellement_la_veille_de_la_fin_puis_contrat_manquant():
    ContratFactory(etat=Contrat.Etat.VALIDE, date_debut=D(2026, 1, 5), date_fin=D(2026, 7, 5))
    [e] = _de(Regle.RENOUVELLEMENT, D(2026, 7, 4))
    assert e.etat == Etat.BIENTOT
    assert _de(Regle.RENOUVELLEMENT, D(2026, 7, 5)) == []
    [manque] = _de(Regle.CONTRAT_MANQUANT, D(2026, 7, 6))
    assert manque.etat == Etat.EN_RETARD


def test_com_d_un_mois_pas_en_retard_le_lendemain_de_son_debut():
    acc = AccompagnementFactory(modalite=modalite("FJT_REGULIER"))
    ContratFactory(
        accompagnement=acc, type=TypeContrat.COM, etat=Contrat.Etat.SIGNE,
        date_debut=D(2026, 6, 1), date_fin=D(2026, 7, 1),
    )  # fmt: skip
    [e] = _de(Regle.RENOUVELLEMENT, D(2026, 6, 2))
    assert (e.due_le, e.etat) == (D(2026, 7, 1), Etat.BIENTOT)


def test_renouvellement_a_jour_loin_de_la_fin_et_eteint_par_un_successeur():
    contrat = ContratFactory(etat=Contrat.Etat.VALIDE)
    assert _de(Regle.RENOUVELLEMENT, D(2026, 5, 28))[0].etat == Etat.A_JOUR
    ContratFactory(
        accompagnement=contrat.accompagnement, precedent=contrat, date_debut=D(2026, 7, 5), date_fin=D(2027, 1, 5)
    )
    assert _de(Regle.RENOUVELLEMENT, D(2026, 6, 20)) == []


def test_renouvellement_asll_plafond():
    acc = AccompagnementFactory(modalite=modalite("ASLL"))
    kw = {"accompagnement": acc, "type": TypeContrat.PLAN_ASLL, "etat": Contrat.Etat.SIGNE}
    ContratFactory(numero_renouvellement=1, **kw)
    [e] = _de(Regle.RENOUVELLEMENT, D(2026, 6, 10))
    assert e.details["renouvellement_possible"] and "n°2 sur 2" in e.message
    Contrat.objects.update(numero_renouvellement=2)
    [e] = _de(Regle.RENOUVELLEMENT, D(2026, 6, 10))
    assert not e.details["renouvellement_possible"] and "doit prendre fin" in e.message


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_contrat_manquant_apres_la_fin_du_precedent(decalage, etat):
    ContratFactory(etat=Contrat.Etat.VALIDE, date_debut=D(2026, 1, 5), date_fin=D(2026, 7, 5))
    le = D(2026, 7, 5) + datetime.timedelta(days=decalage)
    found = _de(Regle.CONTRAT_MANQUANT, le)
    if decalage < 0:
        assert found == []  # still in force the day before
    else:
        assert (found[0].due_le, found[0].etat) == (D(2026, 7, 5), etat)


@pytest.mark.parametrize(
    ("orientation", "due"),
    [(D(2024, 12, 10), D(2025, 2, 10)), (D(2026, 1, 5), D(2026, 2, 5))],  # CER: 2 months, then 1 month
)
@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_premier_contrat_rsa_selon_la_date_d_orientation(orientation, due, decalage, etat):
    acc = AccompagnementFactory(date_debut=orientation)
    acc.resident.orientation = acc.modalite
    acc.resident.date_orientation = orientation
    acc.resident.save()
    [e] = _de(Regle.CONTRAT_MANQUANT, due + datetime.timedelta(days=decalage))
    assert (e.due_le, e.etat) == (due, etat)
    ContratFactory(
        accompagnement=acc,
        type=TypeContrat.CONTRAT_ENGAGEMENT,
        etat=Contrat.Etat.SIGNE,
        date_debut=orientation,
        date_fin=due + datetime.timedelta(days=200),
    )
    assert _de(Regle.CONTRAT_MANQUANT, due + datetime.timedelta(days=decalage)) == []


def test_contrat_en_attente_de_validation_laisse_a_la_regle_de_validation():
    ContratFactory(etat=Contrat.Etat.EN_VALIDATION)
    assert _de(Regle.CONTRAT_MANQUANT, D(2026, 2, 1)) == []


def test_fjt_ponctuel_sans_contrat_requis():
    AccompagnementFactory(modalite=modalite("FJT_PONCTUEL"))
    assert _de(Regle.CONTRAT_MANQUANT, D(2026, 2, 1)) == []


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_orientation_un_mois_apres_ouverture(decalage, etat):
    acc = AccompagnementFactory()
    acc.resident.date_ouverture_rsa = D(2026, 1, 10)
    acc.resident.save()
    delegue = DelegueFactory(territoires=[acc.structure.territoire])
    found = [
        e
        for e in _de(Regle.CONTRAT_MANQUANT, D(2026, 2, 10) + datetime.timedelta(days=decalage))
        if "orientation" in e.cle
    ]
    assert (found[0].due_le, found[0].etat) == (D(2026, 2, 10), etat)
    assert delegue.pk in found[0].destinataires


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_validation_en_attente_quinze_jours(decalage, etat):
    contrat = ContratFactory(etat=Contrat.Etat.EN_VALIDATION, date_soumission_validation=a_paris(D(2026, 1, 10)))
    delegue = DelegueFactory(territoires=[contrat.accompagnement.structure.territoire])
    DelegueFactory()  # another territory's délégué must not be asked
    [e] = _de(Regle.VALIDATION_EN_ATTENTE, D(2026, 1, 25) + datetime.timedelta(days=decalage))
    assert (e.due_le, e.etat, e.destinataires) == (D(2026, 1, 25), etat, (delegue.pk,))


def _absence(acc, jour, statut=Entretien.Statut.ABSENT_NON_EXCUSE):
    return EntretienFactory(accompagnement=acc, date_heure=a_paris(jour), statut=statut)


def test_deux_absences_successives():
    acc = AccompagnementFactory()
    _absence(acc, D(2026, 2, 1), Entretien.Statut.HONORE)
    premiere = _absence(acc, D(2026, 2, 10))
    assert _de(Regle.ABSENCES, D(2026, 2, 19)) == []  # the day before the second absence
    seconde = _absence(acc, D(2026, 2, 20))
    _absence(acc, D(2026, 2, 25), Entretien.Statut.ANNULE)  # cancelled: ignored
    _absence(acc, D(2026, 3, 25), Entretien.Statut.PLANIFIE)  # future: ignored
    [e] = _de(Regle.ABSENCES, D(2026, 2, 20))
    assert e.entretien_ids == (premiere.pk, seconde.pk) and e.etat == Etat.BIENTOT
    assert _de(Regle.ABSENCES, D(2026, 2, 21))[0].etat == Etat.EN_RETARD
    assert e.cle == f"ABSENCES:{acc.pk}:{seconde.pk}"


def test_absence_excusee_ou_hors_rsa_ne_declenche_rien():
    acc = AccompagnementFactory()
    _absence(acc, D(2026, 2, 10))
    _absence(acc, D(2026, 2, 20), Entretien.Statut.ABSENT_EXCUSE)
    asll = AccompagnementFactory(modalite=modalite("ASLL"))
    _absence(asll, D(2026, 2, 10))
    _absence(asll, D(2026, 2, 20))
    assert _de(Regle.ABSENCES, D(2026, 2, 21)) == []


@pytest.mark.parametrize(("nombre", "attendu"), [(3, False), (4, False), (5, True)])
def test_norme_file_active(nombre, attendu):
    referent = ReferentFactory(etp=Decimal("0.10"))  # ASLL: 40 per full time, so 4 at 0.1 ETP
    responsable = ResponsableFactory(structures=[referent.structures.first()])
    for _ in range(nombre):
        AccompagnementFactory(referent=referent, modalite=modalite("ASLL"))
    found = _de(Regle.NORME_FILE_ACTIVE, D(2026, 2, 1))
    assert bool(found) is attendu
    if attendu:
        assert found[0].details["charge_ponderee"] == Decimal("0.125") and responsable.pk in found[0].destinataires


def test_norme_compte_toute_la_file_active_meme_pour_un_seul_dossier():
    referent = ReferentFactory(etp=Decimal("0.10"))
    mesures = [AccompagnementFactory(referent=referent, modalite=modalite("ASLL")) for _ in range(5)]
    assert _de(Regle.NORME_FILE_ACTIVE, D(2026, 2, 1), Accompagnement.objects.filter(pk=mesures[0].pk))


@pytest.mark.parametrize(
    ("naissance", "alerte"),
    # On 1 February 2026: born 2 Feb 1996 is 29 (alert), born 1 Feb 1996 turns 30 that day (no alert).
    [(D(1996, 2, 2), True), (D(1996, 2, 1), False), (D(1996, 1, 31), False)],
)
def test_veille_moins_de_30_ans(naissance, alerte):
    acc = AccompagnementFactory(modalite=modalite("RSA_VEILLE"))
    acc.resident.date_naissance = naissance
    acc.resident.save()
    found = [e for e in _de(Regle.ELIGIBILITE, D(2026, 2, 1)) if "age_min" in e.cle]
    assert bool(found) is alerte


def test_veille_parent_isole_et_nouvel_entrant():
    acc = AccompagnementFactory(modalite=modalite("RSA_VEILLE"))
    r = acc.resident
    r.enfants_a_charge, r.situation_familiale, r.date_ouverture_rsa = 1, "SEUL", D(2025, 2, 1)
    r.save()
    cles = {e.cle.split(":")[1] for e in _de(Regle.ELIGIBILITE, D(2026, 1, 31))}
    assert cles == {"parent_isole", "nouvel_entrant"}
    # One year after the right opened (NOUVEL_ENTRANT_DUREE), no longer a new entrant.
    assert {e.cle.split(":")[1] for e in _de(Regle.ELIGIBILITE, D(2026, 2, 1))} == {"parent_isole"}
    r.situation_familiale = "COUPLE"
    r.save()
    assert _de(Regle.ELIGIBILITE, D(2026, 2, 1)) == []


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_fjt_au_dela_de_30_ans(decalage, etat):
    acc = AccompagnementFactory(modalite=modalite("FJT_REGULIER"))
    acc.resident.date_naissance = D(1995, 3, 1)  # leaves the 16-30 range on 1 March 2026
    acc.resident.save()
    [e] = _de(Regle.ELIGIBILITE, D(2026, 3, 1) + datetime.timedelta(days=decalage))
    assert (e.due_le, e.etat) == (D(2026, 3, 1), etat)


@pytest.mark.parametrize(("jour", "attendu"), [(D(2026, 1, 31), None), (D(2026, 2, 1), Etat.BIENTOT)])
def test_sortie_de_la_tranche_d_age_annoncee_un_mois_avant(jour, attendu):
    """AGE_SORTIE_PREAVIS (référentiel, one month): the warning starts one month before the birthday
    that takes the person out of the range."""
    acc = AccompagnementFactory(modalite=modalite("FJT_REGULIER"))
    acc.resident.date_naissance = D(1995, 3, 1)  # 31 on 1 March 2026
    acc.resident.save()
    found = _de(Regle.ELIGIBILITE, jour)
    assert [e.etat for e in found] == ([attendu] if attendu else [])
    Parametre.objects.filter(code="AGE_SORTIE_PREAVIS", territoire=None, departement=None).update(valeur="P2M")
    assert [e.etat for e in _de(Regle.ELIGIBILITE, D(2026, 1, 31))] == [Etat.BIENTOT]


@pytest.mark.parametrize(("jour", "attendu"), [(D(2030, 11, 30), []), (D(2030, 12, 1), [Etat.BIENTOT])])
def test_fjt_au_dela_de_25_ans_rien_avant_le_preavis_de_la_sortie(jour, attendu):
    """A resident of 26 is inside the 16-30 range: no échéance (one due in 2031 marked « bientôt dû »
    contradicted the engine's own word, issue 20 §3) until AGE_SORTIE_PREAVIS before her 31st birthday.
    The « 16-25 first » preference is the admission's (admissions/eligibilite.py)."""
    acc = AccompagnementFactory(modalite=modalite("FJT_REGULIER"))
    acc.resident.date_naissance = D(2000, 1, 1)  # 26 in 2026, 31 on 1 January 2031
    acc.resident.save()
    assert _de(Regle.ELIGIBILITE, D(2026, 2, 1)) == []
    found = _de(Regle.ELIGIBILITE, jour)
    assert [(e.due_le, e.etat) for e in found] == [(D(2031, 1, 1), etat) for etat in attendu]


def test_calculer_complet_nombre_de_requetes_constant():
    """Every rule, for 1 measure and 10: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def compter(nombre):
        for _ in range(nombre):
            ContratFactory(etat=Contrat.Etat.VALIDE)
        calculer(Accompagnement.objects.all(), le=D(2026, 6, 10))  # référentiel read
        with CaptureQueriesContext(connection) as requetes:
            result = calculer(Accompagnement.objects.all(), le=D(2026, 6, 10))
        return len(requetes), result

    une, result = compter(1)
    assert {e.regle for e in result} >= {Regle.CONTACT, Regle.RENOUVELLEMENT}
    dix, result = compter(9)
    assert len({e.accompagnement_id for e in result}) == 10
    assert dix == une <= 16
