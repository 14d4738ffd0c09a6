"""CONTACT and RENCONTRE_PHYSIQUE: day before, day of and day after each threshold."""

import datetime

import pytest
from django.utils import timezone

from accompagnement.models import Accompagnement, Entretien, TypeEntretien
from echeances.moteur import Etat, Regle, calculer, frequences_respectees, suivis
from referentiel.models import Modalite
from tests.accompagnement.factories import (
    AccompagnementFactory,
    ActionCollectiveFactory,
    EntretienFactory,
    ParticipationFactory,
)
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import modalite

D = datetime.date


def _echeance(acc, regle, le):
    found = [e for e in calculer(Accompagnement.objects.filter(pk=acc.pk), le=le) if e.regle == regle]
    return found[0] if found else None


@pytest.fixture
def mesure():
    # RSA socioprofessionnel: a contact every 15 days, a physical meeting every month (référentiel).
    return AccompagnementFactory(date_debut=D(2026, 1, 5))


@pytest.mark.parametrize(
    ("jour", "etat"),
    [
        (D(2026, 2, 17), Etat.A_JOUR),  # 8 days before: outside the 7-day BIENTOT_DU window
        (D(2026, 2, 18), Etat.BIENTOT),
        (D(2026, 2, 24), Etat.BIENTOT),  # day before
        (D(2026, 2, 25), Etat.BIENTOT),  # day of: last day to act
        (D(2026, 2, 26), Etat.EN_RETARD),  # day after
    ],
)
def test_contact_autour_du_seuil(mesure, voyager, jour, etat):
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.BUREAU, date_heure=a_paris(D(2026, 2, 10)))
    le = voyager(jour)
    assert timezone.localdate() == jour
    echeance = _echeance(mesure, Regle.CONTACT, le)
    assert echeance.due_le == D(2026, 2, 25)
    assert echeance.etat == etat
    assert echeance.cle == f"CONTACT:{mesure.pk}:20260225"
    assert echeance.destinataires == (mesure.referent_id,)
    assert "25/02/2026" in echeance.message


@pytest.mark.parametrize(
    ("jour", "etat"),
    [(D(2026, 3, 9), Etat.BIENTOT), (D(2026, 3, 10), Etat.BIENTOT), (D(2026, 3, 11), Etat.EN_RETARD)],
)
def test_rencontre_physique_autour_du_seuil(mesure, voyager, jour, etat):
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.VAD, date_heure=a_paris(D(2026, 2, 10)))
    le = voyager(jour)
    echeance = _echeance(mesure, Regle.RENCONTRE_PHYSIQUE, le)
    assert echeance.due_le == D(2026, 3, 10)  # one calendar month
    assert echeance.etat == etat


@pytest.mark.parametrize(
    ("jour", "etat"),
    [
        (D(2026, 3, 16), Etat.A_JOUR),  # 8 days before: outside the 7-day BIENTOT_DU window
        (D(2026, 3, 17), Etat.BIENTOT),
        (D(2026, 3, 23), Etat.BIENTOT),  # day before
        (D(2026, 3, 24), Etat.BIENTOT),  # day of: last day to act
        (D(2026, 3, 25), Etat.EN_RETARD),  # day after
    ],
)
def test_rencontre_physique_mobilisation_sociale_six_semaines(voyager, jour, etat):
    """RSA mobilisation sociale: a physical meeting at least every 6 weeks (domain.md §3, référentiel P6W)."""
    mobilisation = modalite(Modalite.Code.RSA_MOBILISATION)
    assert mobilisation.intervalle_rencontre == "P6W"
    mesure = AccompagnementFactory(modalite=mobilisation, date_debut=D(2026, 1, 5))
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.VAD, date_heure=a_paris(D(2026, 2, 10)))
    le = voyager(jour)
    echeance = _echeance(mesure, Regle.RENCONTRE_PHYSIQUE, le)
    assert echeance.due_le == D(2026, 3, 24)  # 10 February + 42 days
    assert echeance.etat == etat


def test_un_appel_compte_comme_contact_pas_comme_rencontre(mesure):
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.TELEPHONE, date_heure=a_paris(D(2026, 2, 10)))
    suivi = suivis(Accompagnement.objects.all(), le=D(2026, 2, 12))[mesure.pk]
    assert suivi.dernier_contact == D(2026, 2, 10)
    assert suivi.derniere_rencontre is None
    assert suivi.prochain_contact == D(2026, 2, 25)
    assert suivi.prochaine_rencontre == D(2026, 2, 5)  # start + 1 month
    assert suivi.etat_rencontre == Etat.EN_RETARD
    assert suivi.etat == Etat.EN_RETARD


def test_une_absence_ne_compte_pas(mesure):
    EntretienFactory(
        accompagnement=mesure, date_heure=a_paris(D(2026, 2, 10)), statut=Entretien.Statut.ABSENT_NON_EXCUSE
    )
    EntretienFactory(accompagnement=mesure, date_heure=a_paris(D(2026, 2, 11)), statut=Entretien.Statut.PLANIFIE)
    suivi = suivis(Accompagnement.objects.all(), le=D(2026, 2, 12))[mesure.pk]
    assert suivi.dernier_contact is None
    assert suivi.prochain_contact == D(2026, 1, 20)  # start + 15 days


def test_un_atelier_compte_comme_contact_pas_comme_rencontre(mesure):
    action = ActionCollectiveFactory(structure=mesure.structure, date_heure=a_paris(D(2026, 2, 20), 14))
    ParticipationFactory(action=action, resident=mesure.resident)
    suivi = suivis(Accompagnement.objects.all(), le=D(2026, 2, 21))[mesure.pk]
    assert suivi.dernier_contact == D(2026, 2, 20)
    assert suivi.derniere_rencontre is None


def test_un_atelier_avant_la_mesure_ou_apres_le_jour_ne_compte_pas(mesure):
    for jour in (D(2025, 12, 1), D(2026, 3, 1)):
        action = ActionCollectiveFactory(structure=mesure.structure, date_heure=a_paris(jour, 14))
        ParticipationFactory(action=action, resident=mesure.resident)
    assert suivis(Accompagnement.objects.all(), le=D(2026, 2, 21))[mesure.pk].dernier_contact is None


def test_un_contact_futur_ne_compte_pas_a_une_date_passee(mesure):
    EntretienFactory(accompagnement=mesure, date_heure=a_paris(D(2026, 2, 10)))
    assert suivis(Accompagnement.objects.all(), le=D(2026, 2, 9))[mesure.pk].dernier_contact is None
    assert suivis(Accompagnement.objects.all(), le=D(2026, 2, 10))[mesure.pk].dernier_contact == D(2026, 2, 10)


def test_le_jour_local_compte_pas_le_jour_utc(mesure):
    # 00:30 in Paris on 11 February is still 10 February in UTC.
    EntretienFactory(accompagnement=mesure, date_heure=a_paris(D(2026, 2, 11), 0).replace(minute=30))
    assert suivis(Accompagnement.objects.all(), le=D(2026, 2, 11))[mesure.pk].dernier_contact == D(2026, 2, 11)


def test_mois_calendaires(voyager):
    mesure = AccompagnementFactory(modalite=modalite("FJT_REGULIER"), date_debut=D(2026, 1, 31))
    suivi = suivis(Accompagnement.objects.all(), le=D(2026, 2, 1))[mesure.pk]
    assert suivi.prochaine_rencontre == D(2026, 2, 28)
    assert suivi.prochain_contact is None  # FJT: no contact interval, so no CONTACT échéance
    assert [e.regle for e in calculer(Accompagnement.objects.all(), le=D(2026, 2, 1), regles={Regle.CONTACT})] == []


def test_mesures_inactives_et_modalites_non_accompagnees_exclues():
    fermee = AccompagnementFactory(date_debut=D(2025, 1, 5), date_fin=D(2026, 1, 1), motif_fin="AUTRE")
    emploi = AccompagnementFactory(modalite=modalite("RSA_EMPLOI"))
    future = AccompagnementFactory(date_debut=D(2026, 6, 1))
    result = suivis(Accompagnement.objects.all(), le=D(2026, 2, 1))
    assert fermee.pk not in result and emploi.pk not in result and future.pk not in result


def test_ensemble_vide():
    assert suivis(Accompagnement.objects.none(), le=D(2026, 2, 1)) == {}
    assert calculer(Accompagnement.objects.none(), le=D(2026, 2, 1)) == []


def test_nombre_de_requetes_constant():
    """The engine reads 1 measure and 10 with the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def compter(nombre):
        for _ in range(nombre):
            EntretienFactory(date_heure=a_paris(D(2026, 2, 10)))
        calculer(Accompagnement.objects.all(), le=D(2026, 2, 12), regles={Regle.CONTACT})  # référentiel read
        with CaptureQueriesContext(connection) as requetes:
            result = calculer(Accompagnement.objects.all(), le=D(2026, 2, 12), regles={Regle.CONTACT})
        return len(requetes), len(result)

    une, echeances = compter(1)
    assert echeances == 1
    dix, echeances = compter(9)
    assert echeances == 10
    assert dix == une <= 8


# --- frequencies kept over a period (comités de suivi) ------------------------------------------


def _respectees(mesure, debut, le):
    return frequences_respectees(Accompagnement.objects.filter(pk=mesure.pk), debut=debut, le=le)[mesure.pk]


@pytest.mark.parametrize(
    ("fin_periode", "respectees"),
    [(D(2026, 2, 24), True), (D(2026, 2, 25), True), (D(2026, 2, 26), False)],  # contact due 25/02
)
def test_frequences_respectees_autour_du_seuil(mesure, fin_periode, respectees):
    for jour in (D(2026, 1, 12), D(2026, 1, 26), D(2026, 2, 10)):  # every 15 days, physical every month
        EntretienFactory(accompagnement=mesure, type=TypeEntretien.BUREAU, date_heure=a_paris(jour))
    assert _respectees(mesure, D(2026, 1, 12), fin_periode) is respectees


def test_un_retard_entre_deux_contacts_compte_meme_rattrape(mesure):
    """A breach in the middle of the period is kept even when contacts resumed before its end: what a
    check on the last day only would miss."""
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.BUREAU, date_heure=a_paris(D(2026, 1, 10)))
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.BUREAU, date_heure=a_paris(D(2026, 2, 5)))
    assert suivis(Accompagnement.objects.all(), le=D(2026, 2, 6))[mesure.pk].etat != Etat.EN_RETARD
    assert _respectees(mesure, D(2026, 1, 6), D(2026, 2, 6)) is False  # contact due 25/01, made 05/02
    assert _respectees(mesure, D(2026, 2, 5), D(2026, 2, 6)) is True  # the breach is before this period


def test_frequences_respectees_meme_avis_que_le_moteur_chaque_jour(mesure):
    """Kept over a period ⟺ the engine's state was never EN_RETARD on any day of it."""
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.TELEPHONE, date_heure=a_paris(D(2026, 1, 15)))
    EntretienFactory(accompagnement=mesure, type=TypeEntretien.VAD, date_heure=a_paris(D(2026, 1, 28)))
    action = ActionCollectiveFactory(structure=mesure.structure, date_heure=a_paris(D(2026, 2, 9), 14))
    ParticipationFactory(action=action, resident=mesure.resident)
    debut = D(2026, 1, 5)
    for n in range(0, 50, 3):
        le = debut + datetime.timedelta(days=n)
        jours = [debut + datetime.timedelta(days=k) for k in range(n + 1)]
        jamais_en_retard = all(
            suivis(Accompagnement.objects.filter(pk=mesure.pk), le=j)[mesure.pk].etat != Etat.EN_RETARD for j in jours
        )
        assert _respectees(mesure, debut, le) is jamais_en_retard, le


def test_un_ensemble_se_donne_par_un_queryset_ou_par_ses_ids():
    """The screens pass the ids they already hold; the whole base stays a queryset (moteur.Requete)."""
    mesures = [AccompagnementFactory(date_debut=D(2026, 1, 5)) for _ in range(3)]
    AccompagnementFactory(date_debut=D(2026, 1, 5))  # not in the set
    ids = [m.pk for m in mesures]
    le = D(2026, 3, 1)
    par_queryset = calculer(Accompagnement.objects.filter(pk__in=ids), le=le)
    assert {e.accompagnement_id for e in par_queryset} == set(ids)
    assert calculer(ids, le=le) == calculer(tuple(ids), le=le) == par_queryset
    assert suivis(ids, le=le) == suivis(Accompagnement.objects.filter(pk__in=ids), le=le)
    assert calculer([], le=le) == [] and suivis([], le=le) == {}
    assert len(calculer(Accompagnement.objects.all(), le=le)) > len(par_queryset)


def test_veille_sans_intervalle_de_contact_frequences_tenues():
    """RSA veille: contact « on demand » (no interval), a physical meeting every 6 months. With a
    meeting within the 6 months, the frequencies are kept: the missing contact interval is no breach."""
    veille = AccompagnementFactory(modalite=modalite("RSA_VEILLE"), date_debut=D(2025, 10, 1))
    EntretienFactory(accompagnement=veille, type=TypeEntretien.BUREAU, date_heure=a_paris(D(2026, 1, 15)))
    assert _respectees(veille, D(2026, 1, 1), D(2026, 3, 31)) is True
    # Still a breach when the physical meeting is overdue (due 15/07/2026).
    assert _respectees(veille, D(2026, 7, 1), D(2026, 7, 16)) is False


def test_fjt_sans_intervalle_de_contact_frequences_tenues():
    fjt = AccompagnementFactory(modalite=modalite("FJT_REGULIER"), date_debut=D(2026, 1, 5))
    EntretienFactory(accompagnement=fjt, type=TypeEntretien.BUREAU, date_heure=a_paris(D(2026, 2, 2)))
    assert _respectees(fjt, D(2026, 1, 5), D(2026, 2, 28)) is True
