"""The échéances after an admission under convention (echeances/regles_admissions.py), each at the day
before, the day of and the day after its threshold; the délais come from the référentiel."""

import datetime

import pytest

from accompagnement.models import Accompagnement
from admissions.models import Candidature, GarantieTiers, Logement
from contrats.models import Contrat
from echeances.moteur import Etat, Regle, calculer
from referentiel.models import Parametre, Structure, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, ObjectifFactory
from tests.accounts.factories import ReferentFactory
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory, modalite

D = datetime.date
UN_JOUR = datetime.timedelta(days=1)
AUTOUR = [(-1, Etat.BIENTOT), (0, Etat.BIENTOT), (1, Etat.EN_RETARD)]
ENTREE = D(2026, 1, 5)


def _de(regle, le, cause):
    """The échéances of `regle` whose cause is one of the admission rules (`cause` in their key): the
    modality's own rules (e.g. the missing COM) also run on these measures."""
    return [
        e for e in calculer(Accompagnement.objects.all(), le=le, regles={regle}) if e.regle == regle and cause in e.cle
    ]


@pytest.fixture
def admission():
    residence = StructureFactory(type=Structure.Type.FJT)
    acc = AccompagnementFactory(
        referent=ReferentFactory(structures=[residence]), modalite=modalite("FJT_CONVENTION"), date_debut=ENTREE
    )
    contact = ContactPartenaireFactory()
    contrat = ContratFactory(
        accompagnement=acc,
        type=TypeContrat.TRIPARTITE,
        etat=Contrat.Etat.SIGNE,
        partenaire=contact,
        date_debut=ENTREE,
        date_fin=D(2027, 1, 5),
    )
    return Candidature.objects.create(
        residence=residence,
        resident=acc.resident,
        tiers=contact.tiers,
        contact_educatif=contact,
        referent=acc.referent,
        etape=Candidature.Etape.ENTREE,
        statut=Candidature.Statut.ADMISE,
        date_candidature=D(2025, 11, 1),
        date_entree=ENTREE,
        accompagnement=acc,
        contrat_tripartite=contrat,
        cree_par=acc.referent,
    )


def _cles(echeances):
    return {e.cle.split(":")[1] for e in echeances}


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_contrat_de_sejour_remis_sous_quinze_jours(admission, decalage, etat):
    due = D(2026, 1, 20)
    [remise] = _de(Regle.CONTRAT_MANQUANT, due + decalage * UN_JOUR, "sejour_remise")
    assert (remise.due_le, remise.etat, remise.accompagnement_id) == (due, etat, admission.accompagnement_id)


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_contrat_de_sejour_signe_sous_un_mois(admission, decalage, etat):
    admission.contrat_sejour_remis_le = D(2026, 1, 10)
    admission.save()
    due = D(2026, 2, 5)
    echeances = _de(Regle.CONTRAT_MANQUANT, due + decalage * UN_JOUR, "sejour")
    assert _cles(echeances) == {"sejour_signature"}  # handed over: only the signature is left
    assert (echeances[0].due_le, echeances[0].etat) == (due, etat)


def test_contrat_de_sejour_signe_plus_d_echeance(admission):
    admission.contrat_sejour_remis_le = admission.contrat_sejour_signe_le = D(2026, 1, 10)
    admission.save()
    assert _de(Regle.CONTRAT_MANQUANT, D(2026, 3, 1), "sejour") == []


def test_delai_du_contrat_de_sejour_lu_dans_le_referentiel(admission):
    Parametre.objects.filter(code="CONTRAT_SEJOUR_REMISE", departement=None, territoire=None).update(valeur="P8D")
    [remise] = _de(Regle.CONTRAT_MANQUANT, D(2026, 1, 6), "sejour_remise")
    assert remise.due_le == D(2026, 1, 13)


def test_mesure_sans_candidature_pas_de_contrat_de_sejour():
    AccompagnementFactory(modalite=modalite("FJT_REGULIER"))
    assert _de(Regle.CONTRAT_MANQUANT, D(2026, 3, 1), "sejour") == []


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_objectifs_du_projet_personnalise_sous_six_mois(admission, decalage, etat):
    due = D(2026, 7, 5)
    [e] = _de(Regle.CONTRAT_MANQUANT, due + decalage * UN_JOUR, "projet_personnalise")
    assert (e.due_le, e.etat) == (due, etat)
    ObjectifFactory(accompagnement=admission.accompagnement)
    assert _de(Regle.CONTRAT_MANQUANT, due + decalage * UN_JOUR, "projet_personnalise") == []


@pytest.mark.parametrize(
    ("le", "attendu"), [(D(2026, 8, 29), None), (D(2026, 8, 30), Etat.BIENTOT), (D(2026, 8, 31), Etat.BIENTOT)]
)
def test_garantie_signalee_un_mois_avant_sa_fin(admission, le, attendu):
    GarantieTiers.objects.create(candidature=admission, type=GarantieTiers.Type.LOYER, date_fin=D(2026, 9, 30))
    echeances = _de(Regle.ELIGIBILITE, le, ":garantie:")
    assert [e.etat for e in echeances] == ([attendu] if attendu else [])
    if attendu:
        assert echeances[0].due_le == D(2026, 9, 30) and "paiement du loyer" in echeances[0].message


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_garantie_terminee_en_retard(admission, decalage, etat):
    fin = D(2026, 9, 30)
    GarantieTiers.objects.create(candidature=admission, type=GarantieTiers.Type.RESPONSABILITE_CIVILE, date_fin=fin)
    [e] = _de(Regle.ELIGIBILITE, fin + decalage * UN_JOUR, ":garantie:")
    assert (e.due_le, e.etat) == (fin, etat)


def test_garantie_prolongee_change_de_cause(admission):
    garantie = GarantieTiers.objects.create(candidature=admission, type="LOYER", date_fin=D(2026, 9, 30))
    [avant] = _de(Regle.ELIGIBILITE, D(2026, 9, 15), ":garantie:")
    garantie.date_fin = D(2027, 9, 30)
    garantie.save()
    assert _de(Regle.ELIGIBILITE, D(2026, 9, 15), ":garantie:") == []
    assert avant.cle.endswith("20260930")


@pytest.mark.parametrize(("decalage", "etat"), AUTOUR)
def test_glissement_du_bail_a_la_date_prevue(decalage, etat):
    acc = AccompagnementFactory(modalite=modalite("GLOBAL"))
    prevu = D(2026, 6, 1)
    logement = Logement.objects.create(
        accompagnement=acc, mode=Logement.Mode.BAIL_GLISSANT, date_debut=ENTREE, glissement_prevu_le=prevu
    )
    [e] = _de(Regle.RENOUVELLEMENT, prevu + decalage * UN_JOUR, "glissement_bail")
    assert (e.due_le, e.etat, e.accompagnement_id) == (prevu, etat, acc.pk)
    logement.glissement_fait_le = D(2026, 5, 30)
    logement.save()
    assert _de(Regle.RENOUVELLEMENT, prevu + decalage * UN_JOUR, "glissement_bail") == []


def test_glissement_loin_a_jour_et_sous_location_sans_echeance():
    acc = AccompagnementFactory(modalite=modalite("GLOBAL"))
    Logement.objects.create(accompagnement=acc, mode=Logement.Mode.SOUS_LOCATION, date_debut=ENTREE)
    Logement.objects.create(
        accompagnement=acc, mode=Logement.Mode.BAIL_GLISSANT, date_debut=ENTREE, glissement_prevu_le=D(2026, 12, 1)
    )
    [e] = _de(Regle.RENOUVELLEMENT, D(2026, 6, 1), "glissement_bail")
    assert e.etat == Etat.A_JOUR
