import pytest
from django.db import transaction

from demo.donnees import creer_demo
from tests.conftest import assurer_referentiel


@pytest.fixture(scope="module")
def base_demo(django_db_setup, django_db_blocker):
    """The demo built once for a module, inside a transaction rolled back at the end (each test runs
    in a savepoint of it, as Django's setUpTestData does)."""
    with django_db_blocker.unblock():
        assurer_referentiel()  # a transactional test before this module may have flushed it
    with django_db_blocker.unblock(), transaction.atomic():
        creer_demo(sortie=lambda *args: None)
        yield
        transaction.set_rollback(True)
