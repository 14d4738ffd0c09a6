"""Foundation checks that stand for the whole project."""

from django.core.management import call_command

from referentiel.models import Modalite


def test_les_migrations_sont_a_jour():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_le_referentiel_est_charge_par_migration():
    asll = Modalite.objects.get(code=Modalite.Code.ASLL)
    assert (asll.duree_contrat, asll.renouvellements_max, asll.intervalle_contact) == ("P6M", 2, "P15D")
    assert (asll.intervalle_rencontre, asll.norme_file_active) == ("P6W", 40)


def test_une_tranche_de_queryset_sans_ordre_fait_echouer_le_test():
    """tests/conftest.py: `qs[:n]` on a queryset without an order is an error in the tests."""
    import pytest
    from django.core.paginator import UnorderedObjectListWarning
    from django_otp.plugins.otp_totp.models import TOTPDevice  # a model without Meta.ordering

    with pytest.raises(UnorderedObjectListWarning, match="sans ordre"):
        TOTPDevice.objects.all()[:1]
    assert list(TOTPDevice.objects.order_by("pk")[:1]) == []


def test_une_variable_absente_d_un_gabarit_fait_echouer_le_test():
    """pyproject.toml, FAIL_INVALID_TEMPLATE_VARS: pytest-django fails the test that rendered it."""
    import pytest
    from django.template import engines

    with pytest.raises(pytest.fail.Exception, match="Undefined template variable 'absente'"):
        engines["django"].from_string("{{ absente }}").render({})
    assert engines["django"].from_string("{% firstof absente 'défaut' %}").render({}) == "défaut"


def test_chaque_connexion_planifie_pour_un_disque_ssd():
    """config/env.py: whatever the server (embedded, CI's, production's), the application's connections plan
    with SSD costs; at PostgreSQL's default the « À faire » badge hashed every person of the base."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
