"""The file active's table tells screen readers how it is sorted: a French caption (not the `tri`
key), aria-sort on the sorted column, a visible sign that assistive technologies skip."""

import re

import pytest
from django.urls import reverse

from tests.accompagnement.factories import AccompagnementFactory


def entetes(html):
    """{label: the <th> tag's attributes and content} of the sortable headers."""
    return {
        m["libelle"]: m
        for m in re.finditer(
            r'<th scope="col"(?P<attributs>[^>]*)><a href="(?P<href>[^"]*)">(?P<libelle>[^<]*[^< ])(?P<reste>.*?)</a></th>',
            html,
        )
    }


@pytest.mark.parametrize(
    ("tri", "legende", "colonne", "aria_sort", "signe", "tri_suivant"),
    [
        (None, "triées par état, ordre croissant", "État", "ascending", "▲", "-etat"),
        ("-etat", "triées par état, ordre décroissant", "État", "descending", "▼", "etat"),
        ("nom", "triées par nom de la personne, ordre croissant", "Personne", "ascending", "▲", "-nom"),
        ("-debut", "triées par date de début, ordre décroissant", "Depuis", "descending", "▼", "debut"),
        (
            "prochain",
            "triées par prochain contact dû, ordre croissant",
            "Prochain contact dû",
            "ascending",
            "▲",
            "-prochain",
        ),
        ("modalite", "triées par modalité, ordre croissant", "Modalité", "ascending", "▲", "-modalite"),
        # An unknown key is sorted by état by the view: the caption says so.
        ("-inconnu", "triées par état, ordre décroissant", "État", "descending", "▼", "etat"),
    ],
)
def test_le_tri_de_la_file_active_est_dit_en_francais(
    client, referent, tri, legende, colonne, aria_sort, signe, tri_suivant
):
    AccompagnementFactory(referent=referent)
    client.force_login(referent)
    html = client.get(reverse("accompagnement:file_active"), {"tri": tri} if tri else {}).content.decode()
    assert f'<caption class="visually-hidden">Mesures actives, {legende}</caption>' in html
    colonnes = entetes(html)
    assert set(colonnes) == {"Personne", "Modalité", "Depuis", "Prochain contact dû", "État"}
    trie = colonnes[colonne]
    assert trie["attributs"] == f' aria-sort="{aria_sort}"'
    assert trie["reste"] == f' <span class="signe-tri" aria-hidden="true">{signe}</span>'
    assert trie["href"].endswith(f"tri={tri_suivant}")
    # Only the sorted column carries aria-sort and a sign; the others ask for their ascending sort.
    for libelle, autre in colonnes.items():
        if libelle != colonne:
            assert autre["attributs"] == ""
            assert autre["reste"] == ""
            assert re.search(r"tri=[a-z]+$", autre["href"])


def test_le_fragment_htmx_garde_le_tri_en_francais(client, referent):
    """The filters swap the table alone (htmx): its caption and headers say the sort too."""
    AccompagnementFactory(referent=referent)
    client.force_login(referent)
    reponse = client.get(reverse("accompagnement:file_active"), {"tri": "-nom"}, headers={"HX-Request": "true"})
    html = reponse.content.decode()
    assert "<html" not in html
    assert "Mesures actives, triées par nom de la personne, ordre décroissant" in html
    assert entetes(html)["Personne"]["attributs"] == ' aria-sort="descending"'


@pytest.mark.parametrize("etat", ["A_JOUR", "BIENTOT", "EN_RETARD", "INCONNU"])
def test_l_etat_d_une_ligne_est_ecrit_comme_le_composant(etat):
    """A row's state is written in Python (an include per row was a third of the page's time): the same
    HTML as components/etat_echeance.html, the word beside the colour."""
    from django.template.loader import render_to_string

    from accompagnement.templatetags.file_active_tags import etat_de_la_ligne

    assert etat_de_la_ligne(etat) == render_to_string("components/etat_echeance.html", {"etat": etat}).strip()
