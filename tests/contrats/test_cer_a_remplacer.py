"""The list « CER à remplacer avant le 1er janvier 2027 » (issue 19 §5): the structure's team and the
délégués of its territory read it; another structure, another territory, a partner: 404; the
administrator: 403 (a nominative list). Its export holds the rows of the screen."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from contrats.models import Contrat
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import AdministrateurFactory, DelegueFactory, PartenaireFactory
from tests.contrats.factories import ContratFactory
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import StructureFactory

D = datetime.date
URL = reverse("contrats:cer_a_remplacer")


@pytest.fixture(autouse=True)
def _aujourdhui():
    with time_machine.travel(a_paris(D(2026, 12, 4), 9), tick=False):
        yield


@pytest.fixture
def cer(referent):
    mesure = AccompagnementFactory(referent=referent, resident__nom="Zorglub")
    return ContratFactory(
        accompagnement=mesure, etat=Contrat.Etat.VALIDE, date_debut=D(2024, 12, 2), date_fin=D(2027, 6, 2)
    )


@pytest.mark.parametrize("qui", ["referent", "collegue", "responsable", "delegue"])
def test_l_equipe_et_le_delegue_du_territoire_la_lisent(client, request, structure, cer, qui):
    user = DelegueFactory(territoires=[structure.territoire]) if qui == "delegue" else request.getfixturevalue(qui)
    client.force_login(user)
    reponse = client.get(URL, {"structure": structure.pk})
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "CER à remplacer avant le 1er janvier 2027" in texte
    assert "Zorglub" in texte and cer.get_absolute_url() in texte and "01/01/2027" in texte


def test_sans_structure_demandee_la_premiere(client, referent, cer):
    client.force_login(referent)
    assert "Zorglub" in client.get(URL).content.decode()


def test_vide_quand_tout_est_remplace(client, referent, cer):
    cer.etat = Contrat.Etat.ROMPU
    cer.date_fin = D(2026, 12, 4)
    cer.save()
    client.force_login(referent)
    assert "Aucun CER à remplacer dans cette structure." in client.get(URL).content.decode()


@pytest.mark.parametrize("qui", ["etranger", "delegue_ailleurs", "partenaire"])
def test_les_etrangers_ont_une_404(client, request, structure, cer, qui):
    user = {
        "etranger": lambda: request.getfixturevalue("etranger"),
        "delegue_ailleurs": lambda: DelegueFactory(),
        "partenaire": lambda: PartenaireFactory(),
    }[qui]()
    client.force_login(user)
    reponse = client.get(URL, {"structure": structure.pk})
    assert reponse.status_code == 404
    assert "Zorglub" not in reponse.content.decode()


def test_une_autre_structure_de_l_utilisateur_ne_montre_pas_celle_ci(client, referent, structure, cer):
    """A référent of two structures sees each one's CERs under its own name only."""
    autre = StructureFactory()
    referent.structures.add(autre)
    client.force_login(referent)
    assert "Zorglub" not in client.get(URL, {"structure": autre.pk}).content.decode()
    assert client.get(URL, {"structure": "abc"}).status_code == 200  # ignored: the first structure


def test_l_administrateur_refuse_en_francais(client, cer):
    client.force_login(AdministrateurFactory())
    reponse = client.get(URL)
    assert reponse.status_code == 403 and "Zorglub" not in reponse.content.decode()


def test_dans_le_menu_et_depuis_les_contrats(client, referent, cer):
    client.force_login(referent)
    assert URL in client.get(reverse("contrats:mes_contrats")).content.decode()
    assert URL in client.get(reverse("accueil")).content.decode()


def _export(client, filtres):
    reponse = client.post(
        reverse("pilotage:demander_export"),
        {
            "type": "cer_a_remplacer",
            "format": "csv",
            "filtres": filtres,
            "jeton": "0c6b3c9e-5d53-4f5e-9a57-1f7f4d1b7a11",
        },
    )
    assert reponse.status_code == 200
    return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))


def test_l_export_tient_les_lignes_de_l_ecran(client, referent, structure, cer):
    client.force_login(referent)
    page = client.get(URL, {"structure": structure.pk})
    assert 'name="filtres"' in page.content.decode()
    lignes = _export(client, f"structure={structure.pk}")
    assert lignes[0][:3] == ["référence", "personne", "référent"]
    assert [(ligne[0], ligne[5]) for ligne in lignes[1:]] == [(cer.reference, "01/01/2027")]


def test_l_export_d_un_etranger_est_vide(client, etranger, structure, cer):
    client.force_login(etranger)
    assert _export(client, f"structure={structure.pk}")[1:] == []
