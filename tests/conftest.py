import importlib
import warnings

import pytest
from django.apps import apps
from django.core.paginator import UnorderedObjectListWarning
from django.db.models import QuerySet
from django.test import Client

from demo.clients import ClientVerifie
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ReferentFactory, ResponsableFactory
from tests.referentiel.factories import StructureFactory


def code_totp(appareil):
    """The code the user's authenticator app would show now."""
    from django_otp.oath import totp

    return f"{totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits):0{appareil.digits}d}"


@pytest.fixture
def client():
    return ClientVerifie()


@pytest.fixture
def client_sans_2fa():
    """Django's plain client: a login gives the password step only."""
    return Client()


# The three situations every view is tested in (owner, colleague of the same structure, outsider), and
# the structure's manager: one definition for every app's tests.


@pytest.fixture
def structure():
    return StructureFactory()


@pytest.fixture
def referent(structure):
    """The owner: référent of `mesure`."""
    return ReferentFactory(structures=[structure])


@pytest.fixture
def collegue(structure):
    return ReferentFactory(structures=[structure])


@pytest.fixture
def responsable(structure):
    return ResponsableFactory(structures=[structure])


@pytest.fixture
def etranger():
    """A référent of another structure: must get a 404 on everything of `structure`."""
    return ReferentFactory()


@pytest.fixture
def mesure(referent):
    return AccompagnementFactory(referent=referent)


def pytest_collection_modifyitems(items):
    """Every test gets the real PostgreSQL test database: in a rolled-back transaction, unless it asks
    for a transactional one (browser journeys, Celery workers) or declares its own marker."""
    for item in items:
        if item.get_closest_marker("django_db") is None and not {"transactional_db", "live_server"} & set(
            item.fixturenames
        ):
            item.add_marker(pytest.mark.django_db)


def assurer_referentiel():
    """The référentiel comes from a data migration; a transactional test ends with a flush that empties
    every table, so it is loaded again before the next test needs it."""
    from referentiel.models import Modalite, Parametre

    if not Modalite.objects.exists() or not Parametre.objects.exists():
        importlib.import_module("referentiel.migrations.0002_donnees_referentiel").charger(apps, None)
        importlib.import_module("referentiel.migrations.0008_modalite_types_structure").remplir(apps, None)
        importlib.import_module("referentiel.migrations.0012_versions_datees").dater(apps, None)
        importlib.import_module("referentiel.migrations.0013_conditions_de_sortie").charger(apps, None)
        importlib.import_module("referentiel.migrations.0014_norme_accompagnement_global").fixer(apps, None)


@pytest.fixture(autouse=True)
def _referentiel_charge(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        assurer_referentiel()


@pytest.fixture(autouse=True)
def _types_de_contenu_relus():
    """ContentType ids are cached per process; a transactional test (flush, base restored) or a rolled-back
    one that created a type leaves ids the next test's base may not hold (the admin's log then points at
    a missing type). Read again by each test that needs them."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _courriels_en_memoire(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session", autouse=True)
def _aucune_connexion_restante(django_db_setup, django_db_blocker):
    """Browser journeys and Celery workers use connections from other threads or contexts that Django's
    `close_all()` in this thread cannot reach; they would keep the test database from being dropped."""
    yield
    from django.db import connection, connections

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _tranches_ordonnees():
    """A slice of a queryset without an order (`qs[:5]`, `qs[0]`) reads arbitrary rows: PostgreSQL returns
    whatever it finds first, and a page or a « last five » may change from one run to the next. Django only
    warns for its Paginator; here every slice of an unevaluated queryset is checked (warnings are errors)."""
    original = QuerySet.__getitem__

    def tranche(self, k):
        if self._result_cache is None and not self.ordered:
            warnings.warn(
                f"Tranche {k!r} d'un queryset de {self.model.__name__} sans ordre : ajoutez order_by().",
                UnorderedObjectListWarning,
                stacklevel=2,
            )
        return original(self, k)

    QuerySet.__getitem__ = tranche
    yield
    QuerySet.__getitem__ = original
