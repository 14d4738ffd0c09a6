"""The demo's published API token: created once by `manage.py demo`, shown by `make run`'s banner, and
reading what the territory's délégué reads."""

from django.urls import reverse

from api.models import JetonAPI, Ressource
from config import launcher
from demo import JETON_API_DEMO
from demo.api import TERRITOIRE, creer_jeton_demo
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import AdministrateurFactory, ReferentFactory
from tests.referentiel.factories import StructureFactory, TerritoireFactory


def test_jeton_de_demonstration_cree_une_fois_et_lit_son_territoire(api):
    AdministrateurFactory(username="admin.demo")
    territoire = TerritoireFactory(nom=TERRITOIRE)
    mesure = AccompagnementFactory(referent=ReferentFactory(structures=[StructureFactory(territoire=territoire)]))
    ailleurs = AccompagnementFactory()
    assert creer_jeton_demo() is True
    assert creer_jeton_demo() is False
    jeton = JetonAPI.objects.get()
    assert (jeton.territoire, jeton.portee) == (territoire, JetonAPI.Portee.LECTURE)
    assert sorted(jeton.ressources) == sorted(Ressource.values)  # the demo's token reaches everything
    ids = [m["id"] for m in api.get(reverse("api:mesures"), JETON_API_DEMO).json()["results"]]
    assert ids == [mesure.pk] and ailleurs.pk not in ids


def test_sans_territoire_de_demo_pas_de_jeton():
    AdministrateurFactory(username="admin.demo")
    assert creer_jeton_demo() is False
    assert not JetonAPI.objects.exists()


def test_la_banniere_montre_le_jeton_et_un_exemple_curl(capsys):
    launcher.banner([], None, JETON_API_DEMO)
    texte = capsys.readouterr().out
    assert JETON_API_DEMO in texte and f"Authorization: Bearer {JETON_API_DEMO}" in texte
    launcher.banner([], None)
    assert "API" not in capsys.readouterr().out
