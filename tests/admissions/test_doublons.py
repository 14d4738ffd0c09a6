"""Duplicate detection at intake: accents, case, hyphens and common spelling variants; only among the
people the user may see; the creation form shows the candidates and asks for an explicit choice."""

import datetime

import pytest
from django.urls import reverse

from residents.doublons import candidats, cle_phonetique
from residents.models import Resident
from tests.accounts.factories import ReferentFactory
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory

NE_LE = datetime.date(2004, 6, 1)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Élodie", "elodie"),
        ("Lefèvre-Martin", "LEFEVRE MARTIN"),
        ("N'Diaye", "Ndiaye"),
        ("Matthieu", "Mathieu"),
        ("Sophie", "Sofie"),
        ("Yanis", "Ianis"),
        ("Dupont", "Dupond"),
        ("Thomas", "Tomas"),
        ("Renée", "René"),
        ("Mickaël", "Mikael"),
    ],
)
def test_variantes_equivalentes(a, b):
    assert cle_phonetique(a) == cle_phonetique(b)


@pytest.mark.parametrize(("a", "b"), [("Martin", "Morin"), ("Léa", "Léo"), ("Durand", "Dumont")])
def test_noms_differents_restent_differents(a, b):
    assert cle_phonetique(a) != cle_phonetique(b)


@pytest.fixture
def equipe():
    structure = StructureFactory()
    return structure, ReferentFactory(structures=[structure])


def test_candidats_meme_naissance_nom_proche(equipe):
    structure, user = equipe
    existant = ResidentFactory(structure=structure, nom="Lefèvre", prenom="Mathieu", date_naissance=NE_LE)
    ResidentFactory(structure=structure, nom="Lefèvre", prenom="Mathieu", date_naissance=datetime.date(2004, 6, 2))
    assert candidats(user, nom="LEFEVRE", prenom="Matthieu", date_naissance=NE_LE) == [existant]
    # First name and name swapped, and the birth name
    assert candidats(user, nom="Matthieu", prenom="Lefebvre", date_naissance=NE_LE) == []
    assert candidats(user, nom="Mathieu", prenom="Lefevre", date_naissance=NE_LE) == [existant]
    existant.nom, existant.nom_naissance = "Martin", "Lefèvre"
    existant.save()
    assert candidats(user, nom="Lefevre", prenom="Mathieu", date_naissance=NE_LE) == [existant]


def test_candidats_limites_aux_personnes_visibles(equipe):
    _structure, user = equipe
    ResidentFactory(nom="Lefèvre", prenom="Mathieu", date_naissance=NE_LE)  # another structure
    assert candidats(user, nom="Lefèvre", prenom="Mathieu", date_naissance=NE_LE) == []


def _donnees(structure, **kw):
    donnees = {
        "structure": structure.pk,
        "nom": "Lefevre",
        "prenom": "Matthieu",
        "date_naissance": NE_LE.isoformat(),
        "sexe": "A",
        "situation_familiale": "SEUL",
        "enfants_a_charge": "0",
    }
    donnees.update(kw)
    return donnees


def test_formulaire_montre_les_candidats_et_exige_un_choix(client, equipe):
    structure, user = equipe
    existant = ResidentFactory(structure=structure, nom="Lefèvre", prenom="Mathieu", date_naissance=NE_LE)
    client.force_login(user)
    url = reverse("residents:creer")
    reponse = client.post(url, _donnees(structure))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "existe peut-être déjà" in contenu and reverse("residents:dossier", args=[existant.pk]) in contenu
    assert "Créer quand même" in contenu
    assert Resident.objects.count() == 1
    reponse = client.post(url, _donnees(structure, creer_quand_meme="1"))
    assert reponse.status_code == 302
    assert Resident.objects.count() == 2


def test_formulaire_sans_doublon_enregistre_directement(client, equipe):
    structure, user = equipe
    client.force_login(user)
    reponse = client.post(reverse("residents:creer"), _donnees(structure))
    assert reponse.status_code == 302 and Resident.objects.count() == 1


def test_formulaire_ne_demande_que_ce_que_la_modalite_exige(client, equipe):
    _structure, user = equipe
    client.force_login(user)
    fjt = client.get(reverse("residents:creer") + "?pour=FJT").content.decode()
    rsa = client.get(reverse("residents:creer") + "?pour=RSA").content.decode()
    assert 'name="logement"' in fjt and 'name="date_ouverture_rsa"' not in fjt
    assert 'name="date_ouverture_rsa"' in rsa and 'name="logement"' not in rsa
