"""The session ends after an hour without a page (inactivity, not absolute), its row rewritten at most once
a minute (accounts.middleware.SessionGlissanteMiddleware)."""

import datetime

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import ReferentFactory

DEBUT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _fin(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _ecritures_de_session(client, url):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in requetes.captured_queries if q["sql"].startswith('UPDATE "django_session"')]


def test_la_fin_de_session_glisse_au_plus_une_fois_par_minute(client):
    url = reverse("residents:liste")
    with time_machine.travel(DEBUT, tick=False) as voyage:
        client.force_login(ReferentFactory())
        client.get(url)
        fin = _fin(client)
        assert fin == timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        voyage.shift(datetime.timedelta(seconds=30))
        assert _ecritures_de_session(client, url) == []  # under a minute: not rewritten
        assert _fin(client) == fin
        voyage.shift(datetime.timedelta(seconds=settings.SESSION_PROLONGATION))
        assert len(_ecritures_de_session(client, url)) == 1
        assert _fin(client) == timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_une_heure_sans_page_deconnecte_meme_apres_une_journee_d_activite(client):
    url = reverse("residents:liste")
    with time_machine.travel(DEBUT, tick=False) as voyage:
        client.force_login(ReferentFactory())
        for _ in range(8 * 6):  # a working day, a page every ten minutes
            voyage.shift(datetime.timedelta(minutes=10))
            assert client.get(url).status_code == 200
        voyage.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        reponse = client.get(url)
        assert reponse.status_code == 302
        assert reponse.url.startswith(reverse("login"))
