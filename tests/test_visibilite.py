"""Scoped querysets: who sees which person, measure and entretien (domain.md §1, §9)."""

import datetime

import pytest

from accompagnement.models import Accompagnement, Entretien, Objectif
from referentiel.models import Modalite
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory, EntretienFactory
from tests.accounts.factories import (
    AdministrateurFactory,
    ConseillerLogementFactory,
    DelegueFactory,
    PartenaireFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.residents.factories import ConsentementFactory


@pytest.fixture
def mesure():
    return AccompagnementFactory()


def visibles(user):
    return (
        set(Resident.objects.visibles_par(user)),
        set(Accompagnement.objects.visibles_par(user)),
    )


def test_le_referent_et_ses_collegues_voient_la_personne(mesure):
    collegue = ReferentFactory(structures=[mesure.structure])
    responsable = ResponsableFactory(structures=[mesure.structure])
    for user in (mesure.referent, collegue, responsable):
        assert visibles(user) == ({mesure.resident}, {mesure})


def test_une_autre_structure_ne_voit_rien(mesure):
    assert visibles(ReferentFactory()) == (set(), set())
    assert visibles(ResponsableFactory()) == (set(), set())


def test_un_coreferent_d_une_autre_structure_voit_la_personne_tant_qu_il_est_coreferent(mesure):
    ailleurs = ReferentFactory()
    coreference = CoReferentFactory(accompagnement=mesure, user=ailleurs)
    assert visibles(ailleurs) == ({mesure.resident}, {mesure})
    coreference.date_fin = datetime.date.today()
    coreference.save()
    assert visibles(ailleurs) == (set(), set())


def test_le_delegue_voit_les_mesures_rsa_de_son_territoire_seulement(mesure):
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    asll = AccompagnementFactory(
        referent=mesure.referent, modalite=Modalite.objects.get(code="ASLL"), structure=mesure.structure
    )
    assert visibles(delegue) == ({mesure.resident}, {mesure})
    assert visibles(DelegueFactory()) == (set(), set())
    conseillere = ConseillerLogementFactory(territoires=[mesure.structure.territoire])
    assert visibles(conseillere) == ({asll.resident}, {asll})


def test_le_partenaire_voit_seulement_avec_un_consentement_en_vigueur(mesure):
    partenaire = PartenaireFactory()
    CoReferentFactory(accompagnement=mesure, contact=partenaire.contact_partenaire)
    assert visibles(partenaire) == (set(), set())

    consentement = ConsentementFactory(resident=mesure.resident, tiers=partenaire.contact_partenaire.tiers)
    assert visibles(partenaire) == ({mesure.resident}, {mesure})

    consentement.date_retrait = datetime.date.today()
    consentement.save()
    assert visibles(partenaire) == (set(), set())


def test_un_consentement_donne_a_un_autre_partenaire_ne_suffit_pas(mesure):
    partenaire = PartenaireFactory()
    CoReferentFactory(accompagnement=mesure, contact=partenaire.contact_partenaire)
    ConsentementFactory(resident=mesure.resident)  # another partner
    assert visibles(partenaire) == (set(), set())


def test_l_administrateur_voit_tout(mesure):
    assert visibles(AdministrateurFactory()) == ({mesure.resident}, {mesure})


def test_une_note_confidentielle_reste_a_son_auteur(mesure):
    collegue = ReferentFactory(structures=[mesure.structure])
    responsable = ResponsableFactory(structures=[mesure.structure])
    note = EntretienFactory(accompagnement=mesure, confidentiel=True)
    ordinaire = EntretienFactory(accompagnement=mesure)

    assert set(Entretien.objects.visibles_par(mesure.referent)) == {note, ordinaire}
    assert set(Entretien.objects.visibles_par(collegue)) == {ordinaire}
    assert set(Entretien.objects.visibles_par(responsable)) == {ordinaire}

    mesure.structure.responsable_voit_notes_confidentielles = True
    mesure.structure.save()
    assert set(Entretien.objects.visibles_par(responsable)) == {note, ordinaire}
    assert set(Entretien.objects.visibles_par(collegue)) == {ordinaire}


def test_une_note_confidentielle_d_un_co_referent_est_lue_par_le_referent_de_la_mesure(mesure):
    """« Confidential to the référent » (domain.md §9): the author and the measure's référent read it."""
    auteur = ReferentFactory(structures=[mesure.structure])
    autre = ReferentFactory(structures=[mesure.structure])
    note = EntretienFactory(accompagnement=mesure, auteur=auteur, confidentiel=True)

    assert list(Entretien.objects.visibles_par(auteur)) == [note]
    assert list(Entretien.objects.visibles_par(mesure.referent)) == [note]
    assert list(Entretien.objects.visibles_par(autre)) == []


def test_les_objectifs_suivent_la_visibilite_des_mesures(mesure):
    objectif = Objectif.objects.create(accompagnement=mesure, domaine="EMPLOI", libelle="Trouver un stage")
    assert list(Objectif.objects.visibles_par(mesure.referent)) == [objectif]
    assert list(Objectif.objects.visibles_par(ReferentFactory())) == []


# --- a co-referent counts from its start date until its end date (accompagnement.models.coreference_en_cours)

AUJOURD_HUI = datetime.date.today


def _jour(decalage):
    return None if decalage is None else AUJOURD_HUI() + datetime.timedelta(days=decalage)


# (start, end) in days from today, and whether the co-referent is in place today.
PERIODES = [
    pytest.param(1, None, False, id="a-venir"),
    pytest.param(-30, -1, False, id="terminee-hier"),
    pytest.param(-30, 0, False, id="terminee-aujourd-hui"),
    pytest.param(-30, 1, True, id="se-termine-demain"),
    pytest.param(0, None, True, id="commence-aujourd-hui"),
]


@pytest.mark.parametrize("debut, fin, en_place", PERIODES)
def test_un_coreferent_de_l_equipe_voit_la_personne_pendant_sa_coreference(mesure, debut, fin, en_place):
    ailleurs = ReferentFactory()
    CoReferentFactory(accompagnement=mesure, user=ailleurs, date_debut=_jour(debut), date_fin=_jour(fin))
    assert visibles(ailleurs) == (({mesure.resident}, {mesure}) if en_place else (set(), set()))


@pytest.mark.parametrize("debut, fin, en_place", PERIODES)
def test_un_partenaire_co_referent_voit_la_personne_pendant_sa_coreference(mesure, debut, fin, en_place):
    partenaire = PartenaireFactory()
    CoReferentFactory(
        accompagnement=mesure, contact=partenaire.contact_partenaire, date_debut=_jour(debut), date_fin=_jour(fin)
    )
    ConsentementFactory(resident=mesure.resident, tiers=partenaire.contact_partenaire.tiers)
    assert visibles(partenaire) == (({mesure.resident}, {mesure}) if en_place else (set(), set()))


@pytest.mark.parametrize("debut, fin, en_place", PERIODES)
def test_dossier_contrat_et_suivi_des_admissions_pendant_la_coreference_seulement(client, debut, fin, en_place):
    """The person's dossier, the tripartite document and the admissions follow-up page, for a référent of
    another structure co-referent of the measure: 404 before the co-reference starts and once it ended."""
    from django.urls import reverse

    from tests.admissions.factories import E, Residence, avancer

    r = Residence()
    admise = avancer(r, r.candidature(), E.ENTREE)
    ailleurs = ReferentFactory()
    CoReferentFactory(accompagnement=admise.accompagnement, user=ailleurs, date_debut=_jour(debut), date_fin=_jour(fin))
    client.force_login(ailleurs)
    attendu = 200 if en_place else 404
    for url in (
        reverse("residents:dossier", args=[r.jeune.pk]),
        admise.contrat_tripartite.get_absolute_url(),
        reverse("admissions:suivi", args=[admise.accompagnement_id]),
    ):
        assert client.get(url).status_code == attendu, url


def test_le_meme_utilisateur_suit_une_coreference_et_un_changement_de_structure(mesure):
    """Visibility remembers the user's structures and co-referred measures on the User instance
    (accounts.acces._memo): any change must be seen by that same instance at once."""
    autre = ReferentFactory()
    assert visibles(autre) == (set(), set())
    coreference = CoReferentFactory(accompagnement=mesure, user=autre, date_debut=datetime.date(2020, 1, 1))
    assert visibles(autre) == ({mesure.resident}, {mesure})
    coreference.delete()
    assert visibles(autre) == (set(), set())
    autre.structures.add(mesure.structure)
    assert visibles(autre) == ({mesure.resident}, {mesure})
    autre.structures.remove(mesure.structure)
    assert visibles(autre) == (set(), set())
