"""If-Modified-Since on the reads: a detail unchanged since the date is a 304 (with no body and no line in
the access log), a list none of whose rows changed too; otherwise the whole answer, with Last-Modified on
a detail. An unreadable date is ignored."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from journal.models import JournalAcces
from tests.api.conftest import ids


def _date_http(moment):
    return http_date(moment.timestamp())


def _get(api, url, secret, date):
    return api.client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IF_MODIFIED_SINCE=date)


def test_detail_304_jusqu_a_la_modification(api, monde):
    url = reverse("api:personne", args=[monde.personne.pk])
    premiere = api.get(url, monde.secret_a)
    assert premiere.status_code == 200
    derniere = premiere["Last-Modified"]
    journal = JournalAcces.objects.count()
    reponse = _get(api, url, monde.secret_a, derniere)
    assert reponse.status_code == 304 and reponse.content == b""
    assert JournalAcces.objects.count() == journal  # nothing read, nothing logged
    avant = _date_http(timezone.now() - datetime.timedelta(minutes=5))
    assert _get(api, url, monde.secret_a, avant).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        monde.personne.telephone = "0611111111"
        monde.personne.save()
        reponse = _get(api, url, monde.secret_a, derniere)
        assert reponse.status_code == 200
        assert reponse.json()["telephone"] == "0611111111"
        assert reponse["Last-Modified"] != derniere


@pytest.mark.parametrize("nom", ["personnes", "mesures", "entretiens"])
def test_liste_304_si_aucune_ligne_n_a_change_sinon_toute_la_liste(api, monde, nom):
    url = reverse(f"api:{nom}")
    tout = ids(api.get(url, monde.secret_a))
    apres = _date_http(timezone.now() + datetime.timedelta(minutes=1))
    assert _get(api, url, monde.secret_a, apres).status_code == 304
    avant = _date_http(timezone.now() - datetime.timedelta(minutes=1))
    reponse = _get(api, url, monde.secret_a, avant)
    assert reponse.status_code == 200
    assert ids(reponse) == tout


def test_liste_le_filtre_compte(api, monde):
    """Only the rows of the list asked for: another person's change does not void the 304."""
    url = reverse("api:mesures")
    depuis = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(depuis + datetime.timedelta(minutes=1)):
        autre = monde.autre_mesure
        autre.motif_fin = "changé"
        autre.save()
        assert _get(api, url, monde.secret_a, _date_http(depuis)).status_code == 304
        assert _get(api, url, monde.secret_b, _date_http(depuis)).status_code == 200


@pytest.mark.parametrize("date", ["hier", "2026-12-01", ""])
def test_date_illisible_ignoree(api, monde, date):
    reponse = _get(api, reverse("api:personne", args=[monde.personne.pk]), monde.secret_a, date)
    assert reponse.status_code == 200


def test_l_etranger_a_toujours_son_404(api, monde):
    apres = _date_http(timezone.now() + datetime.timedelta(minutes=1))
    assert _get(api, reverse("api:personne", args=[monde.personne.pk]), monde.secret_b, apres).status_code == 404
    assert _get(api, reverse("api:personne", args=[monde.personne.pk]), None, apres).status_code == 401
