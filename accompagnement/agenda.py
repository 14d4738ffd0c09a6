"""The periods of the agenda (a day, a week from Monday, a calendar month) and their neighbours."""

import calendar
import datetime
from dataclasses import dataclass

ANNEES_MAX = 50
VUES = {"jour": "Jour", "semaine": "Semaine", "mois": "Mois"}


@dataclass(frozen=True)
class Periode:
    vue: str
    debut: datetime.date  # first day
    fin: datetime.date  # day after the last one

    @property
    def jours(self):
        return [self.debut + datetime.timedelta(days=n) for n in range((self.fin - self.debut).days)]

    @property
    def precedente(self):
        if self.vue == "mois":
            return periode("mois", self.debut - datetime.timedelta(days=1))
        return periode(self.vue, self.debut - (self.fin - self.debut))

    @property
    def suivante(self):
        return periode(self.vue, self.fin)

    def contient(self, jour):
        return self.debut <= jour < self.fin


def periode(vue, jour):
    """The period of kind `vue` holding `jour` (an unknown kind is the week's)."""
    if vue == "jour":
        return Periode("jour", jour, jour + datetime.timedelta(days=1))
    if vue == "mois":
        debut = jour.replace(day=1)
        return Periode("mois", debut, debut + datetime.timedelta(days=calendar.monthrange(jour.year, jour.month)[1]))
    debut = jour - datetime.timedelta(days=jour.weekday())
    return Periode("semaine", debut, debut + datetime.timedelta(days=7))


def lire_jour(texte, defaut):
    """A date of the query string (AAAA-MM-JJ), or `defaut` if it is missing or not a date."""
    try:
        jour = datetime.date.fromisoformat(texte or "")
    except ValueError:
        return defaut
    # Far from today a neighbour period would leave the calendar (year 1, year 9999): no agenda goes there.
    return jour if abs(jour.year - defaut.year) <= ANNEES_MAX else defaut
