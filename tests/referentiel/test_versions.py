"""A référentiel with effective dates (issue 20): a version applies from its day, the engine reads the
version in force on the day it computes, phases switch on their day, and today's values became versions
without moving a due date."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Accompagnement
from echeances.moteur import Etat, Regle, calculer
from referentiel.models import Parametre, SurchargeModalite
from referentiel.regles import parametre, referentiel_en_vigueur, regles
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import modalite

D = datetime.date
CHANGEMENT = D(2026, 9, 1)
VEILLE_JOUR_LENDEMAIN = [-1, 0, 1]


def _rencontres(le):
    return calculer(Accompagnement.objects.all(), le=le, regles={Regle.RENCONTRE_PHYSIQUE})


@pytest.fixture
def mobilisation():
    """A mobilisation sociale measure (a physical meeting every 6 weeks) met on 3 August 2026."""
    acc = AccompagnementFactory(modalite=modalite("RSA_MOBILISATION"), date_debut=D(2026, 1, 5))
    EntretienFactory(accompagnement=acc, date_heure=a_paris(D(2026, 8, 3)))
    return acc


@pytest.mark.parametrize("decalage", VEILLE_JOUR_LENDEMAIN)
def test_une_frequence_changee_a_une_date_future_s_applique_de_ce_jour(mobilisation, decalage):
    SurchargeModalite.objects.create(
        modalite=mobilisation.modalite,
        departement=mobilisation.structure.territoire.departement,
        intervalle_rencontre="P1M",
        en_vigueur_le=CHANGEMENT,
        source="référentiel départemental 2026",
    )
    le = CHANGEMENT + datetime.timedelta(days=decalage)
    [e] = _rencontres(le)
    if decalage < 0:  # the old rule: 3 August + 6 weeks
        assert e.due_le == D(2026, 9, 14)
        assert "toutes les 6 semaines" in e.message
    else:  # the new one, for the whole period since the last meeting (moteur.py)
        assert e.due_le == D(2026, 9, 3)
        assert "chaque mois" in e.message
        assert "en vigueur depuis le 01/09/2026" in e.details["regle"]
        assert e.etat == Etat.BIENTOT


def test_aujourd_hui_inchange_par_une_version_a_venir(mobilisation):
    avant = [(e.cle, e.due_le, e.etat) for e in _rencontres(timezone.localdate())]
    SurchargeModalite.objects.create(
        modalite=mobilisation.modalite, intervalle_rencontre="P1W", en_vigueur_le=timezone.localdate() + datetime.timedelta(days=30)
    )  # fmt: skip
    assert [(e.cle, e.due_le, e.etat) for e in _rencontres(timezone.localdate())] == avant


def test_une_regle_plus_stricte_peut_mettre_en_retard_des_son_premier_jour(mobilisation):
    SurchargeModalite.objects.create(
        modalite=mobilisation.modalite, intervalle_rencontre="P2W", en_vigueur_le=CHANGEMENT
    )
    [e] = _rencontres(CHANGEMENT)
    assert (e.due_le, e.etat) == (D(2026, 8, 17), Etat.EN_RETARD)


def test_la_version_la_plus_recente_de_chaque_niveau_l_emporte():
    mobil = modalite("RSA_MOBILISATION")
    acc = AccompagnementFactory(modalite=mobil)
    territoire = acc.structure.territoire
    SurchargeModalite.objects.create(modalite=mobil, intervalle_rencontre="P5W", en_vigueur_le=D(2026, 3, 1))
    SurchargeModalite.objects.create(modalite=mobil, intervalle_rencontre="P4W", en_vigueur_le=D(2026, 6, 1))
    SurchargeModalite.objects.create(
        modalite=mobil, territoire=territoire, intervalle_contact="P10D", en_vigueur_le=D(2026, 5, 1)
    )
    lu = {le: regles(territoire, mobil, le) for le in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 5, 1), D(2026, 6, 1))}
    assert [(r.intervalle_rencontre, r.intervalle_contact) for r in lu.values()] == [
        ("P6W", "P15D"),
        ("P5W", "P15D"),
        ("P5W", "P10D"),  # the territory's contact over the national version's meeting
        ("P4W", "P10D"),
    ]


@pytest.mark.parametrize("decalage", VEILLE_JOUR_LENDEMAIN)
def test_un_parametre_date_s_applique_de_son_jour(decalage):
    Parametre.objects.create(
        code=Parametre.Code.BIENTOT_DU, nature=Parametre.Nature.DELAI, valeur="P14D", en_vigueur_le=CHANGEMENT
    )
    le = CHANGEMENT + datetime.timedelta(days=decalage)
    assert parametre("BIENTOT_DU", le=le) == ("P7D" if decalage < 0 else "P14D")


def test_la_date_de_la_loi_plein_emploi_est_lue_du_referentiel():
    """CER or contrat d'engagement for a first RSA contract: by the law's date, now a parameter."""
    acc = AccompagnementFactory(date_debut=D(2025, 3, 10))
    acc.resident.orientation, acc.resident.date_orientation = acc.modalite, D(2025, 3, 10)
    acc.resident.save()

    def due():
        [e] = calculer(Accompagnement.objects.all(), le=D(2025, 4, 1), regles={Regle.CONTRAT_MANQUANT})
        return e.due_le

    assert due() == D(2025, 4, 10)  # contrat d'engagement: 1 month
    loi = Parametre.objects.get(code="CONTRAT_ENGAGEMENT_DEPUIS", departement=None, territoire=None)
    loi.valeur = "2025-06-01"
    loi.save()
    assert due() == D(2025, 5, 10)  # CER: 2 months


@pytest.mark.parametrize(("jour", "due"), [(D(2026, 2, 4), D(2026, 2, 9)), (D(2026, 2, 5), D(2026, 3, 16))])
def test_les_phases_changent_le_jour_dit(jour, due):
    """Weekly for the first month, then monthly: the phase of the day `le`."""
    mobil = modalite("RSA_MOBILISATION")
    SurchargeModalite.objects.create(
        modalite=mobil, phase_initiale_duree="P1M", phase_initiale_rencontre="P1W", source="essai de phases"
    )
    acc = AccompagnementFactory(modalite=mobil, date_debut=D(2026, 1, 5))
    EntretienFactory(accompagnement=acc, date_heure=a_paris(D(2026, 2, 2)))
    [e] = _rencontres(jour)
    assert e.due_le == due
    assert ("en début de mesure" in e.message) == (jour < D(2026, 2, 5))


def test_statut_des_versions():
    mobil = modalite("RSA_MOBILISATION")
    aujourd_hui = timezone.localdate()
    passee = SurchargeModalite(modalite=mobil, en_vigueur_le=aujourd_hui - datetime.timedelta(days=10))
    a_venir = SurchargeModalite(modalite=mobil, en_vigueur_le=aujourd_hui + datetime.timedelta(days=10))
    origine = SurchargeModalite(modalite=mobil)
    assert a_venir.statut() == "à venir" and a_venir.modifiable()
    assert passee.statut() == "en vigueur" and not passee.modifiable()
    assert passee.statut(suivante=a_venir) == "en vigueur"
    assert origine.statut(suivante=passee) == "remplacée" and not origine.modifiable()


def test_la_migration_date_les_valeurs_locales_sans_deplacer_une_echeance(mobilisation):
    """Today's values become versions in force since their creation (0012): no current due date moves."""
    departement = mobilisation.structure.territoire.departement
    SurchargeModalite.objects.create(
        modalite=mobilisation.modalite, departement=departement, intervalle_rencontre="P5W"
    )
    Parametre.objects.create(code="RENOUVELLEMENT_PREAVIS", nature="DELAI", valeur="P2M", departement=departement)
    le = timezone.localdate()
    avant = [(e.cle, e.due_le, e.etat, e.message) for e in calculer(Accompagnement.objects.all(), le=le)]
    importlib.import_module("referentiel.migrations.0012_versions_datees").dater(apps, None)
    assert set(SurchargeModalite.objects.values_list("en_vigueur_le", flat=True)) == {le}
    assert [(e.cle, e.due_le, e.etat, e.message) for e in calculer(Accompagnement.objects.all(), le=le)] == avant
    _territoires, lues, _parametres = referentiel_en_vigueur(le - datetime.timedelta(days=1))
    assert lues[(mobilisation.structure.territoire_id, mobilisation.modalite_id)].intervalle_rencontre == "P6W"


def test_le_dossier_dit_la_regle_et_la_version_appliquees(client, referent):
    """§4: « RSA – mobilisation sociale : une rencontre physique toutes les 6 semaines, <source>, en vigueur
    depuis le … » beside the échéance it set."""
    mobil = modalite("RSA_MOBILISATION")
    mesure = AccompagnementFactory(
        referent=referent, modalite=mobil, date_debut=timezone.localdate() - datetime.timedelta(days=90)
    )
    SurchargeModalite.objects.create(
        modalite=mobil,
        departement=mesure.structure.territoire.departement,
        intervalle_rencontre="P6W",
        en_vigueur_le=D(2024, 10, 1),
        source="référentiel des Vosges",
    )
    client.force_login(referent)
    # the échéances are in the sections loaded after the page (?sections=1 without script)
    page = client.get(reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1").content.decode()
    assert (
        "Règle appliquée : RSA – mobilisation sociale : une rencontre physique toutes les 6 semaines, "
        "référentiel des Vosges, en vigueur depuis le 01/10/2024." in page
    )
    assert "un contact tous les 15 jours, référentiel de l&#x27;accompagnement des Vosges (octobre 2024)." in page
