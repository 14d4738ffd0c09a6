"""`If-Modified-Since` on the reads (RFC 9110), beside `updated_since`, from the same history
(django-simple-history): a detail answers 304 when its row has not changed since that instant (and carries
`Last-Modified`); a list answers 304 when none of its rows (in the token's view, with its filters) has, and
otherwise the whole list, as without the header (the changed rows alone: `updated_since`). HTTP dates have
whole seconds: a row changed within the second given counts as seen, as Django's `condition` decorator has
it. An unreadable date is ignored, as the RFC says."""

import datetime

from django.db.models import Max
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

SECONDE = datetime.timedelta(seconds=1)

PARAMETRE = OpenApiParameter(
    "If-Modified-Since",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Date HTTP (ex. `Sat, 05 Dec 2026 08:00:00 GMT`) : 304 sans corps si rien n'a changé depuis "
    "(pour un détail : l'objet, dont `Last-Modified` donne la date ; pour une liste : aucune de ses lignes, "
    "filtres appliqués ; sinon la liste entière). Date illisible : ignorée.",
)


def depuis(request):
    """The If-Modified-Since instant, or None (absent or unreadable)."""
    secondes = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if secondes is None:
        return None
    return datetime.datetime.fromtimestamp(secondes, tz=datetime.UTC)


def liste_inchangee(request, qs):
    """True when If-Modified-Since is given and no row of `qs` has a history entry after it."""
    moment = depuis(request)
    if moment is None:
        return False
    changes = qs.model.history.filter(history_date__gte=moment + SECONDE).values("id")
    return not qs.filter(pk__in=changes).exists()


def derniere_modification(objet):
    return type(objet).history.filter(id=objet.pk).aggregate(m=Max("history_date"))["m"]


def non_modifie():
    return HttpResponseNotModified()


def dater(reponse, modifie):
    if modifie is not None:
        reponse["Last-Modified"] = http_date(modifie.timestamp())
    return reponse


def inchange_depuis(request, modifie):
    moment = depuis(request)
    return moment is not None and modifie is not None and modifie < moment + SECONDE


class SchemaLecture(AutoSchema):
    """The header and the 304 on every read of views.Lecture (lists and details)."""

    def get_override_parameters(self):
        parametres = super().get_override_parameters()
        return [*parametres, PARAMETRE] if self.method == "GET" else parametres

    def _get_response_bodies(self, direction="response"):
        reponses = super()._get_response_bodies(direction)
        if self.method == "GET":
            reponses["304"] = {"description": "Rien n'a changé depuis If-Modified-Since (pas de corps)."}
        return reponses
