import pytest
from django.db import transaction
from django.test import override_settings

from demo.donnees import creer_demo
from tests.conftest import assurer_referentiel


@pytest.fixture(scope="module")
def base_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo built once for a module, inside a transaction rolled back at the end (each test runs
    in a savepoint of it, as Django's setUpTestData does); its contracts' PDFs in a directory of its own."""
    with django_db_blocker.unblock():
        assurer_referentiel()  # a transactional test before this module may have flushed it
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        creer_demo(sortie=lambda *args: None)
        yield
        transaction.set_rollback(True)
