"""A délai (« 15 jours », « 6 semaines », « 1 mois ») is stored as an ISO 8601 duration string
(P15D, P6W, P1M). The same text is read by Python (relativedelta) and by PostgreSQL
(`'P1M'::interval`), so a due date computed in SQL and one computed in Python never disagree:
both add calendar months the same way (31 January + 1 month = 28/29 February)."""

import re

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

_ISO = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?$")
_UNITS = [
    ("years", "an", "ans"),
    ("months", "mois", "mois"),
    ("weeks", "semaine", "semaines"),
    ("days", "jour", "jours"),
]


def parse_delai(value):
    match = _ISO.match(value or "")
    if not match or value == "P":
        raise ValueError(f"délai invalide : {value!r}")
    return {key: int(number) for key, number in match.groupdict().items() if number}


def relativedelta_de(value):
    return relativedelta(**parse_delai(value))


def libelle_delai(value):
    if not value:
        return "—"
    parts = parse_delai(value)
    words = []
    for key, singular, plural in _UNITS:
        if key in parts:
            n = parts[key]
            words.append(f"{n} {singular if n == 1 else plural}")
    return " ".join(words)


def valider_delai(value):
    try:
        parse_delai(value)
    except ValueError:
        raise ValidationError(
            "Délai invalide : écrivez par exemple P15D (15 jours), P6W (6 semaines), P1M (1 mois) ou P1Y (1 an)."
        ) from None
