import pytest


@pytest.fixture(autouse=True)
def _base_de_test(db):
    """Every test runs in a transaction on the real PostgreSQL test database."""


@pytest.fixture(autouse=True)
def _courriels_en_memoire(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
