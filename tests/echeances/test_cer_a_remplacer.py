"""CER_A_REMPLACER (issue 19 §5, domain.md §10): every signed CER must give way to a contrat d'engagement
by the référentiel's CER_REMPLACEMENT_AVANT (1 January 2027). Read « today » with time-machine, at the
day before, the day of and the day after its thresholds, through the engine every screen and the daily
job call."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accompagnement.models import Accompagnement
from contrats.models import Contrat
from echeances import services
from echeances.models import Alerte
from echeances.moteur import Etat, Regle, calculer
from referentiel.models import Parametre, TypeContrat
from referentiel.regles import parametre
from tests.contrats.factories import ContratFactory

D = datetime.date
BASCULE = D(2027, 1, 1)
UN_JOUR = datetime.timedelta(days=1)


def _cer(le=None):
    return calculer(Accompagnement.objects.all(), le=le or timezone.localdate(), regles={Regle.CER_A_REMPLACER})


@pytest.fixture
def cer():
    """A CER signed in 2024 (before the loi pour le plein emploi), still in force until mid-2027."""
    return ContratFactory(etat=Contrat.Etat.VALIDE, date_debut=D(2024, 12, 2), date_fin=D(2027, 6, 2))


def test_la_date_vient_du_referentiel():
    assert parametre("CER_REMPLACEMENT_AVANT") == BASCULE
    p = Parametre.objects.get(code="CER_REMPLACEMENT_AVANT", territoire=None, departement=None)
    assert (p.nature, str(p)) == ("DATE", "CER remplacés par des contrats d'engagement au plus tard le : 01/01/2027")


@pytest.mark.parametrize(
    ("jour", "etat"),
    [
        # the « bientôt dû » window (BIENTOT_DU, 7 days) opens on 25 December
        (D(2026, 12, 24), Etat.A_JOUR),
        (D(2026, 12, 25), Etat.BIENTOT),
        # the day before, the day of, the day after the switch
        (BASCULE - UN_JOUR, Etat.BIENTOT),
        (BASCULE, Etat.BIENTOT),
        (BASCULE + UN_JOUR, Etat.EN_RETARD),
    ],
)
def test_une_echeance_par_cer_due_au_1er_janvier_2027(voyager, cer, jour, etat):
    voyager(jour)
    [e] = _cer()
    assert (e.due_le, e.etat, e.contrat_id, e.referent_id) == (BASCULE, etat, cer.pk, cer.accompagnement.referent_id)
    assert e.destinataires == (cer.accompagnement.referent_id,)
    assert "01/01/2027" in e.message and "contrat d'engagement" in e.message
    assert e.url == cer.get_absolute_url()


def test_aussi_dans_le_calcul_complet_et_les_alertes_du_matin(voyager, cer):
    """The daily job's computation (all rules) holds it, and the morning run makes it an alert."""
    voyager(BASCULE)
    assert Regle.CER_A_REMPLACER in {e.regle for e in calculer(Accompagnement.objects.all(), le=BASCULE)}
    services.synchroniser_alertes(le=BASCULE)
    alerte = Alerte.objects.get(regle=Regle.CER_A_REMPLACER)
    assert alerte.cle == f"CER_A_REMPLACER:{cer.pk}"


def test_une_date_locale_du_referentiel_l_emporte(cer):
    """A territory that set its own date (the date is data, not a constant)."""
    Parametre.objects.create(
        code="CER_REMPLACEMENT_AVANT",
        nature="DATE",
        valeur="2026-12-15",
        territoire=cer.accompagnement.structure.territoire,
    )
    [e] = _cer(D(2026, 12, 16))
    assert (e.due_le, e.etat) == (D(2026, 12, 15), Etat.EN_RETARD)


def test_disparait_quand_un_contrat_d_engagement_prend_la_suite(cer):
    """The CER ends on or before the switch and a signed contrat d'engagement starts at its end."""
    cer.date_fin = D(2026, 12, 20)
    cer.save()
    ce = ContratFactory(
        accompagnement=cer.accompagnement,
        type=TypeContrat.CONTRAT_ENGAGEMENT,
        etat=Contrat.Etat.BROUILLON,
        date_debut=D(2026, 12, 20),
        date_fin=D(2027, 6, 20),
    )
    le = D(2026, 12, 10)
    assert len(_cer(le)) == 1  # a draft replaces nothing yet
    ce.etat = Contrat.Etat.VALIDE
    ce.save()
    assert _cer(le) == []


def test_un_contrat_d_engagement_apres_la_date_ne_suffit_pas(cer):
    ContratFactory(
        accompagnement=cer.accompagnement,
        type=TypeContrat.CONTRAT_ENGAGEMENT,
        etat=Contrat.Etat.VALIDE,
        date_debut=cer.date_fin,
        date_fin=D(2027, 12, 2),
    )
    [e] = _cer(D(2026, 12, 10))
    assert e.contrat_id == cer.pk


def test_disparait_quand_le_cer_est_rompu_ou_termine(cer):
    le = D(2026, 12, 10)
    cer.etat = Contrat.Etat.ROMPU
    cer.date_fin = le
    cer.save()
    assert _cer(le) == []
    fini = ContratFactory(etat=Contrat.Etat.SIGNE, date_debut=D(2024, 6, 1), date_fin=D(2024, 12, 1))
    assert fini.accompagnement.pk and _cer(le) == []


def test_rien_pour_un_cer_non_signe_ni_pour_un_contrat_d_engagement():
    ContratFactory(etat=Contrat.Etat.EN_VALIDATION, date_debut=D(2026, 6, 1), date_fin=D(2027, 6, 1))
    ContratFactory(
        type=TypeContrat.CONTRAT_ENGAGEMENT, etat=Contrat.Etat.VALIDE, date_debut=D(2026, 6, 1), date_fin=D(2027, 6, 1)
    )
    assert _cer(D(2026, 12, 10)) == []


def test_un_cer_signe_depuis_2025_est_a_remplacer_aussi():
    """A CER signed since 2025 (first contract of an orientation decided before: CER_SIGNATURE_DELAI) is a
    CER all the same: it must give way by the same day."""
    contrat = ContratFactory(etat=Contrat.Etat.VALIDE, date_debut=D(2026, 9, 1), date_fin=D(2027, 3, 1))
    [e] = _cer(D(2026, 12, 10))
    assert e.contrat_id == contrat.pk


def test_un_seul_par_contrat_avenants_compris(cer):
    """A signed avenant taking over later is the same contract: one échéance, on the version in force
    (which ends when the avenant takes over: contrats.services._prendre_effet)."""
    fin = cer.date_fin
    cer.date_fin = D(2027, 2, 1)
    cer.save()
    ContratFactory(
        accompagnement=cer.accompagnement,
        avenant_de=cer,
        etat=Contrat.Etat.VALIDE,
        date_debut=D(2027, 2, 1),
        date_fin=fin,
    )
    [e] = _cer(D(2026, 12, 10))
    assert (e.contrat_id, e.cle) == (cer.pk, f"CER_A_REMPLACER:{cer.pk}")


def test_changer_la_date_est_historise_et_suivi_par_le_moteur(cer):
    """The date is edited in the référentiel (admin), its history kept, and the engine reads the new one."""
    national = Parametre.objects.get(code="CER_REMPLACEMENT_AVANT", territoire=None, departement=None)
    # Two edits: the history of the loaded value depends on how the test base was filled, not on this rule.
    for valeur in ("2027-02-01", "2027-03-01"):
        national.valeur = valeur
        national.full_clean()
        national.save()
    assert [h.valeur for h in national.history.order_by("history_date", "history_id")][-2:] == [
        "2027-02-01",
        "2027-03-01",
    ]
    [e] = _cer(D(2027, 1, 2))
    assert (e.due_le, e.etat) == (D(2027, 3, 1), Etat.A_JOUR)


def test_une_date_mal_ecrite_est_refusee_en_francais():
    p = Parametre(code="CER_REMPLACEMENT_AVANT", nature="DATE", valeur="01/01/2027")
    with pytest.raises(ValidationError) as erreur:
        p.clean()
    assert erreur.value.message_dict == {"valeur": ["Une date est attendue, écrite AAAA-MM-JJ (2027-01-01)."]}
