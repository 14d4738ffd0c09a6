"""`make run` runs with DEBUG=true: the user still gets the application's French error pages, never Django's
English debug pages (unless PAGES_ERREUR_DJANGO asks for them)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path

from tests.accounts.factories import ReferentFactory


def _introuvable(request):
    raise Http404("absent")


def _interdit(request):
    raise PermissionDenied


def _panne(request):
    raise RuntimeError("panne simulée")


urlpatterns = [
    path("essai/introuvable/", _introuvable),
    path("essai/interdit/", _interdit),
    path("essai/panne/", _panne),
    path("", include("config.urls")),
]


@pytest.fixture
def en_local(settings):
    settings.DEBUG = True
    settings.PAGES_ERREUR_DJANGO = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def connecte(client):
    client.force_login(ReferentFactory())
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    ("adresse", "statut", "titre"),
    [
        ("/adresse-qui-n-existe-pas/", 404, "Page introuvable"),
        ("/essai/introuvable/", 404, "Page introuvable"),
        ("/essai/interdit/", 403, "Accès refusé"),
        ("/essai/panne/", 500, "Erreur du serveur"),
    ],
)
def test_en_debug_les_pages_d_erreur_sont_celles_de_l_application(en_local, connecte, adresse, statut, titre, caplog):
    reponse = connecte.get(adresse)
    assert reponse.status_code == statut
    html = reponse.content.decode()
    assert titre in html
    assert "Django" not in html and "Traceback" not in html and "URLconf" not in html
    if statut == 500:
        # The developer still reads the traceback in the console.
        assert "panne simulée" in caplog.text


def test_une_adresse_sans_barre_finale_est_encore_redirigee(en_local, connecte):
    assert connecte.get("/personnes").status_code == 301


def test_pages_erreur_django_rend_les_pages_de_debogage(en_local, settings, connecte):
    settings.PAGES_ERREUR_DJANGO = True
    assert "URLconf" in connecte.get("/adresse-qui-n-existe-pas/").content.decode()
    assert "panne simulée" in connecte.get("/essai/panne/").content.decode()
