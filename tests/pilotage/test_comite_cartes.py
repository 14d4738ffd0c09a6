"""The committee page renders a first block of cards; the next blocks come as the chair scrolls down
(htmx, pilotage:cartes), so that a référent's 300 measures do not make the page wait (issue 18 §2).
Blocks of 2 here (the setting is CARTES_PAR_BLOC): Bernard, Caron, then Lefèvre."""

import html

import pytest
from django.urls import reverse

from pilotage import services, views
from tests.pilotage.test_comite_cloture import _client, comite  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def blocs_de_deux(monkeypatch):
    monkeypatch.setattr(views, "CARTES_PAR_BLOC", 2)


def _noms(page):
    return [nom for nom in ("Yanis Bernard", "Inès Caron", "Élodie Lefèvre") if f">{nom}</h3>" in page]


def test_la_page_montre_un_premier_bloc_et_de_quoi_charger_la_suite(client, monde, comite):  # noqa: F811
    page = html.unescape(
        _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    )
    assert "Personnes accompagnées (3)" in page
    assert _noms(page) == ["Yanis Bernard", "Inès Caron"]
    suite = reverse("pilotage:cartes", args=[comite.pk]) + "?depuis=2"
    assert f'hx-get="{suite}" hx-trigger="revealed"' in page
    # Where scripts do not run, a link to the whole page, down to the next card.
    assert f'?tout=1#mesure-{monde["m1"].pk}">Afficher toutes les personnes' in page
    # The people left to decide (beside « Clore ») are all three, shown or not yet.
    assert "3 personnes sans décision" in page


@pytest.mark.parametrize(
    ("qui", "statut"),
    [("delegue", 200), ("referent", 200), ("collegue", 404), ("etranger", 404), ("delegue_ailleurs", 404)],
)
def test_le_bloc_suivant_selon_l_utilisateur(client, monde, comite, qui, statut):  # noqa: F811
    url = reverse("pilotage:cartes", args=[comite.pk])
    reponse = _client(client, monde[qui]).get(url, {"depuis": "2"}, HTTP_HX_REQUEST="true")
    assert reponse.status_code == statut
    if statut == 200:
        page = html.unescape(reponse.content.decode())
        assert _noms(page) == ["Élodie Lefèvre"] and "<html" not in page
        assert "hx-trigger" not in page  # the last block: nothing more to load
        assert ("Enregistrer la décision" in page) is (qui == "delegue")


@pytest.mark.parametrize(
    ("depuis", "attendus"),
    [
        ("0", ["Yanis Bernard", "Inès Caron"]),
        ("abc", ["Yanis Bernard", "Inès Caron"]),
        ("-4", ["Yanis Bernard", "Inès Caron"]),
        ("1", ["Inès Caron", "Élodie Lefèvre"]),
        ("99", []),
    ],
)
def test_un_debut_illisible_ou_hors_liste_ne_fait_pas_d_erreur(client, monde, comite, depuis, attendus):  # noqa: F811
    url = reverse("pilotage:cartes", args=[comite.pk])
    reponse = _client(client, monde["delegue"]).get(url, {"depuis": depuis}, HTTP_HX_REQUEST="true")
    assert reponse.status_code == 200 and _noms(html.unescape(reponse.content.decode())) == attendus


def test_voir_une_carte_ou_tout_afficher(client, monde, comite):  # noqa: F811
    url = reverse("pilotage:comite", args=[comite.pk])
    c = _client(client, monde["delegue"])
    tous = ["Yanis Bernard", "Inès Caron", "Élodie Lefèvre"]
    assert _noms(html.unescape(c.get(url, {"voir": monde["m1"].pk}).content.decode())) == tous
    assert _noms(html.unescape(c.get(url, {"tout": "1"}).content.decode())) == tous
    page = html.unescape(c.get(url, {"voir": monde["m2"].pk}).content.decode())
    assert _noms(page) == tous[:2]
    # Another committee's or an unknown measure: the first block, no error.
    for voir in (monde["m1"].pk + 1000, "x"):
        assert _noms(html.unescape(c.get(url, {"voir": voir}).content.decode())) == tous[:2]


def test_le_refus_de_clore_mene_a_chaque_carte_meme_pas_encore_chargee(client, monde, comite):  # noqa: F811
    d = monde["delegue"]
    services.enregistrer_decision(comite=comite, accompagnement=monde["m2"], par=d, decision="POURSUITE")
    reponse = _client(client, d).post(
        reverse("pilotage:compte_rendu", args=[comite.pk]),
        {"compte_rendu": "", "version": comite.version, "clore": "1"},
    )
    refus = html.unescape(reponse.content.decode())
    refus = refus[refus.index('id="refus-cloture"') :]
    refus = refus[: refus.index("</div>")]
    m1, m3 = monde["m1"].pk, monde["m3"].pk
    assert f'href="#mesure-{m3}">Inès Caron' in refus  # shown with the page
    assert f'href="{reverse("pilotage:comite", args=[comite.pk])}?voir={m1}#mesure-{m1}">Élodie Lefèvre' in refus


def test_un_bloc_en_nombre_de_requetes_constant(client, monde, comite):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.pilotage.conftest import SOCIOPRO, mesure
    from tests.pilotage.test_comite_cloture import D

    c = _client(client, monde["delegue"])
    url = reverse("pilotage:cartes", args=[comite.pk])
    c.get(url, {"depuis": "0"})
    with CaptureQueriesContext(connection) as un:
        c.get(url, {"depuis": "2"})  # one card
    for i in range(3):
        mesure(monde["referent"], SOCIOPRO, D(2026, 1, 5), resident__nom=f"Zola{i}")
    with CaptureQueriesContext(connection) as deux:
        page = c.get(url, {"depuis": "2"}).content.decode()  # two cards, and a next block
    assert page.count('class="card mb-3"') == 2
    assert len(deux) == len(un)


def test_un_bloc_charge_est_journalise_comme_la_page(client, monde, comite):  # noqa: F811
    from journal.models import JournalAcces

    url = reverse("pilotage:cartes", args=[comite.pk])
    _client(client, monde["delegue"]).get(url, {"depuis": "2"}, HTTP_HX_REQUEST="true")
    ligne = JournalAcces.objects.get(page="pilotage:cartes")
    assert (ligne.user_id, ligne.type_objet, ligne.objet_id, ligne.resident_id) == (
        monde["delegue"].pk,
        "comitesuivi",
        comite.pk,
        None,
    )
