"""What an export source gives the writers (pilotage.exports): columns, rows and their number."""

from dataclasses import dataclass


@dataclass
class Contenu:
    titre: str
    colonnes: list
    lignes: object  # an iterable of tuples
    total: int
