"""Following with the tiers (synthèses within consent), coordination, housing, end of the stay decided by
the responsable only, exit with hand-over and its PDF."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from accompagnement.models import Accompagnement, CoReferent
from admissions import services
from admissions.forms import FinForm
from admissions.models import FinDePriseEnCharge, Logement, PassageRelais, Synthese
from admissions.pdf import synthese_sortie_pdf
from journal.models import JournalAcces
from referentiel.models import Parametre
from residents.models import Consentement
from tests.admissions.factories import E, Residence, avancer, jour
from tests.referentiel.factories import ContactPartenaireFactory
from tests.residents.factories import ConsentementFactory


@pytest.fixture
def r():
    return Residence()


@pytest.fixture
def mesure(r):
    return avancer(r, r.candidature(), E.ENTREE).accompagnement


def _synthese_tenue(r, mesure):
    s = services.planifier_synthese(accompagnement=mesure, par=r.referent, contact=r.contact, date_prevue=jour(0))
    return services.tenir_synthese(
        synthese=s, par=r.referent, version=s.version, tenue_le=jour(0), participants="ASE, référent", bilan="Avance."
    )


def test_synthese_avec_un_contact_co_referent_seulement(r, mesure):
    with pytest.raises(ValidationError, match="co-référent"):
        services.planifier_synthese(
            accompagnement=mesure, par=r.referent, contact=ContactPartenaireFactory(), date_prevue=jour(3)
        )


def test_synthese_tenue_exige_un_bilan(r, mesure):
    s = services.planifier_synthese(accompagnement=mesure, par=r.referent, contact=r.contact, date_prevue=jour(0))
    with pytest.raises(ValidationError, match="bilan"):
        services.tenir_synthese(
            synthese=s, par=r.referent, version=s.version, tenue_le=jour(0), participants="", bilan=""
        )
    assert Synthese.objects.get(pk=s.pk).tenue_le is None


def test_synthese_transmise_seulement_avec_le_consentement(r, mesure):
    s = _synthese_tenue(r, mesure)
    with pytest.raises(ValidationError, match="n'a pas consenti"):
        services.transmettre_synthese(synthese=s, par=r.referent, version=s.version)
    # A consent that does not cover the objectives is not enough either.
    ConsentementFactory(resident=r.jeune, tiers=r.tiers, categories=[Consentement.Categorie.PRESENCE])
    with pytest.raises(ValidationError, match="n'a pas consenti"):
        services.transmettre_synthese(synthese=s, par=r.referent, version=s.version)
    assert not JournalAcces.objects.partages().exists()
    ConsentementFactory(resident=r.jeune, tiers=r.tiers, categories=[Consentement.Categorie.OBJECTIFS])
    s = services.transmettre_synthese(synthese=s, par=r.referent, version=s.version)
    assert s.transmise_le == jour(0)
    # The share is named and dated in the access log: who, to whom, what.
    [partage] = JournalAcces.objects.partages()
    assert (partage.user, partage.resident_id, partage.type_objet, partage.objet_id) == (
        r.referent,
        r.jeune.pk,
        "synthese",
        s.pk,
    )
    assert str(r.tiers) in partage.detail and "objectifs" in partage.detail


def test_reunion_de_coordination(r, mesure):
    chantier = ContactPartenaireFactory(fonction="encadrant technique")
    intervenant = CoReferent.objects.create(
        accompagnement=mesure, contact=chantier, role="référent du chantier d'insertion"
    )
    with pytest.raises(ValidationError, match="décisions"):
        services.enregistrer_reunion(
            accompagnement=mesure, par=r.referent, date=jour(0), decisions="", intervenants=[intervenant]
        )
    reunion = services.enregistrer_reunion(
        accompagnement=mesure, par=r.referent, date=jour(0), decisions="Visite du logement.", intervenants=[intervenant]
    )
    assert list(reunion.intervenants.all()) == [intervenant]


def test_bail_glissant_exige_sa_date(r, mesure):
    with pytest.raises(ValidationError, match="date de glissement"):
        services.enregistrer_logement(accompagnement=mesure, par=r.referent, mode="BAIL_GLISSANT", date_debut=jour(0))
    log = services.enregistrer_logement(
        accompagnement=mesure, par=r.referent, mode="BAIL_GLISSANT", date_debut=jour(-1), glissement_prevu_le=jour(180)
    )
    services.constater_glissement(logement=log, par=r.referent, le=jour(0))
    assert Logement.objects.get(pk=log.pk).glissement_fait_le == jour(0)


def apres_preavis(decidee_le):
    """The earliest end of the stay: FIN_SEJOUR_PREAVIS of the référentiel (1 month) after the decision."""
    return decidee_le + relativedelta(months=1)


def _a_midi(date):
    return time_machine.travel(datetime.datetime.combine(date, datetime.time(12)), tick=False)


def _fin(r, mesure, par, **kw):
    valeurs = {
        "motif": FinDePriseEnCharge.Motif.FIN_CONTRAT_JEUNE_MAJEUR,
        "explications": "Contrat jeune majeur non renouvelé par l'ASE.",
        "decidee_le": jour(0),
        "date_effet": apres_preavis(jour(0)),
        "tiers_informe_le": jour(0),
    }
    valeurs.update(kw)
    return services.decider_fin(accompagnement=mesure, par=par, **valeurs)


def test_fin_decidee_par_le_responsable_seulement(r, mesure):
    with pytest.raises(PermissionDenied, match="responsable"):
        _fin(r, mesure, r.referent)
    with pytest.raises(ValidationError, match="informé"):
        _fin(r, mesure, r.responsable, tiers_informe_le=None)
    with pytest.raises(ValidationError, match="motif"):
        _fin(r, mesure, r.responsable, motif="AUTRE")
    assert not FinDePriseEnCharge.objects.exists()
    fin = _fin(r, mesure, r.responsable)
    assert fin.date_effet == apres_preavis(jour(0))
    assert fin.preavis_jours == (apres_preavis(jour(0)) - jour(0)).days
    with pytest.raises(ValidationError, match="déjà été décidée"):
        _fin(r, mesure, r.responsable)


def test_fin_du_sejour_au_plus_tot_au_terme_du_preavis(r, mesure):
    """FIN_SEJOUR_PREAVIS (1 month, CCH L.633-2) runs from the decision: a day short is refused, with
    the earliest date named; the day itself is accepted."""
    au_plus_tot = apres_preavis(jour(0))
    with pytest.raises(ValidationError, match=f"avant le {au_plus_tot:%d/%m/%Y}"):
        _fin(r, mesure, r.responsable, date_effet=au_plus_tot - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="préavis de 1 mois"):
        _fin(r, mesure, r.responsable, date_effet=jour(0))
    assert not FinDePriseEnCharge.objects.exists()
    # From a decision taken earlier, the notice runs from that day.
    fin = _fin(
        r, mesure, r.responsable, decidee_le=jour(-10), tiers_informe_le=jour(-10), date_effet=apres_preavis(jour(-10))
    )
    assert fin.date_effet == apres_preavis(jour(-10))


def test_preavis_de_fin_de_sejour_lu_dans_le_referentiel_du_territoire(r, mesure):
    Parametre.objects.create(
        code=Parametre.Code.FIN_SEJOUR_PREAVIS,
        nature=Parametre.Nature.DELAI,
        valeur="P2M",
        territoire=r.residence.territoire,
    )
    deux_mois = jour(0) + relativedelta(months=2)
    with pytest.raises(ValidationError, match=f"préavis de 2 mois.*{deux_mois:%d/%m/%Y}"):
        _fin(r, mesure, r.responsable)
    assert _fin(r, mesure, r.responsable, date_effet=deux_mois).date_effet == deux_mois
    assert f"au plus tôt le {deux_mois:%d/%m/%Y}" in FinForm(accompagnement=mesure).fields["date_effet"].help_text


def test_formulaire_de_fin_annonce_la_date_au_plus_tot():
    aide = FinForm().fields["date_effet"].help_text
    assert f"au plus tôt le {apres_preavis(jour(0)):%d/%m/%Y}" in aide and "1 mois" in aide


def _sortie(r, mesure, **kw):
    valeurs = {
        "version": mesure.version,
        "date_sortie": jour(0),
        "destination": "LOCATION_SOCIALE",
        "repreneur": "CCAS de la ville, Mme Roux",
        "date_relais": jour(0),
        "elements_transmis": "Situation budgétaire, démarches logement.",
        "accord_personne": True,
    }
    valeurs.update(kw)
    return services.enregistrer_sortie(accompagnement=mesure, par=r.referent, **valeurs)


def test_sortie_avec_passage_de_relais(r, mesure):
    effet = apres_preavis(jour(0))
    _fin(r, mesure, r.responsable, date_effet=effet)
    # The exit is recorded on the day the stay ends, at the end of the notice.
    with _a_midi(effet):
        passage = _sortie(r, Accompagnement.objects.get(pk=mesure.pk), date_sortie=effet, date_relais=effet)
    mesure.refresh_from_db()
    assert (mesure.date_fin, mesure.motif_fin, mesure.destination) == (
        effet,
        "FIN_CONTRAT_JEUNE_MAJEUR",
        "LOCATION_SOCIALE",
    )
    assert "CCAS" in mesure.relais and passage.accord_personne
    assert not mesure.coreferents.filter(date_fin__isnull=True).exists()
    pdf = synthese_sortie_pdf(mesure)
    assert pdf.startswith(b"%PDF-")


def test_sortie_refusee_sans_accord_pour_transmettre(r, mesure):
    with pytest.raises(ValidationError, match="accord de la personne"):
        _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS", accord_personne=False)
    with pytest.raises(ValidationError, match="destination"):
        _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS", destination="INCONNUE")
    with pytest.raises(ValidationError, match="motif"):
        _sortie(r, mesure)
    mesure.refresh_from_db()
    assert mesure.date_fin is None and not PassageRelais.objects.exists()
    _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS", accord_personne=False, elements_transmis="")
    assert PassageRelais.objects.get().elements_transmis == ""


def test_sortie_journalise_le_passage_de_relais(r, mesure):
    contact = ContactPartenaireFactory(fonction="conseillère logement")
    passage = _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS", contact=contact)
    [partage] = JournalAcces.objects.partages()
    assert (partage.user, partage.resident_id, partage.objet_id) == (r.referent, r.jeune.pk, passage.pk)
    assert str(contact.tiers) in partage.detail and "Situation budgétaire" in partage.detail


def test_sortie_sans_rien_transmettre_n_est_pas_un_partage(r, mesure):
    _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS", elements_transmis="", accord_personne=False)
    assert not JournalAcces.objects.partages().exists()


@pytest.mark.parametrize("motif", list(FinDePriseEnCharge.Motif.values))
def test_sortie_pour_un_motif_du_tiers_exige_la_decision_du_responsable(r, mesure, motif):
    """The end for a reason of seed 002 is the responsable's, with the tiers: a référent cannot reach it
    through the exit form."""
    with pytest.raises(ValidationError, match="décidée"):
        _sortie(r, mesure, motif_fin=motif)
    mesure.refresh_from_db()
    assert mesure.date_fin is None and not PassageRelais.objects.exists()


def test_sortie_au_terme_du_preavis(r, mesure):
    effet = apres_preavis(jour(0))
    _fin(r, mesure, r.responsable, date_effet=effet)
    with pytest.raises(ValidationError, match="préavis"):
        _sortie(r, mesure, date_sortie=effet - datetime.timedelta(days=1), date_relais=jour(0))
    mesure.refresh_from_db()
    assert mesure.date_fin is None
    with _a_midi(effet):
        _sortie(r, Accompagnement.objects.get(pk=mesure.pk), date_sortie=jour(0))
    mesure.refresh_from_db()
    assert mesure.date_fin == effet and mesure.motif_fin == "FIN_CONTRAT_JEUNE_MAJEUR"


@pytest.mark.parametrize("debut, fin", [(1, None), (-3, 0)], ids=["co-reference-a-venir", "co-reference-terminee"])
def test_synthese_et_reunion_avec_les_co_referents_en_place_seulement(r, mesure, debut, fin):
    """A contact who is not yet, or no longer, co-referent of the measure is offered neither for a
    synthèse nor as a participant of a coordination meeting, and a synthèse with them is refused."""
    from admissions.forms import ReunionForm, SyntheseForm

    autre = ContactPartenaireFactory(fonction="conseillère Mission Locale")
    intervenant = CoReferent.objects.create(
        accompagnement=mesure,
        contact=autre,
        role="référente Mission Locale",
        date_debut=jour(debut),
        date_fin=None if fin is None else jour(fin),
    )
    assert list(SyntheseForm(accompagnement=mesure).fields["contact"].queryset) == [r.contact]
    assert intervenant not in ReunionForm(accompagnement=mesure).fields["intervenants"].queryset
    with pytest.raises(ValidationError, match="co-référent"):
        services.planifier_synthese(accompagnement=mesure, par=r.referent, contact=autre, date_prevue=jour(3))
    assert not Synthese.objects.exists()


def test_la_sortie_termine_aussi_une_coreference_prevue_au_dela(r, mesure):
    plus_tard = CoReferent.objects.create(
        accompagnement=mesure, contact=ContactPartenaireFactory(), date_debut=jour(-2), date_fin=jour(60)
    )
    _sortie(r, mesure, motif_fin="OBJECTIFS_ATTEINTS")
    plus_tard.refresh_from_db()
    assert plus_tard.date_fin == jour(0)
