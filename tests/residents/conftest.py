import pytest

from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ReferentFactory, ResponsableFactory
from tests.referentiel.factories import StructureFactory


@pytest.fixture
def structure():
    return StructureFactory()


@pytest.fixture
def referent(structure):
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
