"""`{% load file_active_tags %}{% tri_file_active tri as t %}`: the sort of the file active in words;
`ligne.etat|etat_de_la_ligne`: a row's state, as components/etat_echeance.html shows it.

The view sorts by a key of accompagnement.selectors.TRIS (`nom`, `-etat`…); screen readers must hear
« état, ordre décroissant », not the key. An unknown key is sorted by état there, so it is named so here.
"""

from dataclasses import dataclass

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst

from echeances.choix import Etat

register = template.Library()

# key: (column header, what the caption says after « triées par »)
COLONNES = {
    "nom": ("Personne", "nom de la personne"),
    "modalite": ("Modalité", "modalité"),
    "debut": ("Depuis", "date de début"),
    "prochain": ("Prochain contact dû", "prochain contact dû"),
    "etat": ("État", "état"),
}
PAR_DEFAUT = "etat"


@dataclass(frozen=True)
class Entete:
    """A sortable column header: its label, the `tri` its link asks for, and on the sorted column
    its aria-sort and the sign shown (aria-hidden: aria-sort already says it)."""

    libelle: str
    tri_suivant: str
    aria_sort: str = ""
    signe: str = ""


@dataclass(frozen=True)
class Tri:
    cle: str
    decroissant: bool

    @property
    def libelle(self):
        return COLONNES[self.cle][1]

    @property
    def ordre(self):
        return "ordre décroissant" if self.decroissant else "ordre croissant"

    @property
    def entetes(self):
        entetes = {}
        for cle, (libelle, _) in COLONNES.items():
            if cle != self.cle:
                entetes[cle] = Entete(libelle, cle)
            elif self.decroissant:
                entetes[cle] = Entete(libelle, cle, "descending", "▼")
            else:
                # Sorted ascending: the link turns the order round.
                entetes[cle] = Entete(libelle, f"-{cle}", "ascending", "▲")
        return entetes


@register.simple_tag
def tri_file_active(tri):
    tri = tri or PAR_DEFAUT
    cle = tri.lstrip("-")
    return Tri(cle if cle in COLONNES else PAR_DEFAUT, decroissant=tri.startswith("-"))


@register.filter
def etat_de_la_ligne(etat):
    """The markup of components/etat_echeance.html (without `libelle`) written here: that include on each
    of the page's hundred rows was a third of the file active's time. Same HTML (tests/accompagnement/test_file_active_a11y.py)."""
    try:
        etat = Etat(etat)
    except ValueError:
        return ""
    return format_html('<span class="etat-echeance etat-echeance--{}">{}</span>', etat.couleur, capfirst(etat.label))
