"""`{% load file_active_tags %}{% tri_file_active tri as t %}`: the sort of the file active in words.

The view sorts by a key of accompagnement.selectors.TRIS (`nom`, `-etat`…); screen readers must hear
« état, ordre décroissant », not the key. An unknown key is sorted by état there, so it is named so here.
"""

from dataclasses import dataclass

from django import template

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
