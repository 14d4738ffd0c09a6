import datetime
import zoneinfo

import pytest

from referentiel.models import Modalite
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ConseillerLogementFactory, DelegueFactory, ReferentFactory
from tests.referentiel.factories import StructureFactory, modalite
from tests.taches import broker_injoignable, worker  # noqa: F401 (fixtures)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def a_paris(jour, heure=10):
    return datetime.datetime.combine(jour, datetime.time(heure), tzinfo=PARIS)


def mesure(referent, code, debut, fin=None, motif="", **kwargs):
    return AccompagnementFactory(
        referent=referent,
        modalite=modalite(code),
        date_debut=debut,
        date_fin=fin,
        motif_fin=motif or ("AUTRE" if fin else ""),
        **kwargs,
    )


@pytest.fixture
def monde():
    """Two structures on one territory (owner and colleague share the first), one elsewhere."""
    structure = StructureFactory()
    autre = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    collegue = ReferentFactory(structures=[structure])
    etranger = ReferentFactory(structures=[autre])
    delegue = DelegueFactory(territoires=[structure.territoire])
    delegue_ailleurs = DelegueFactory(territoires=[autre.territoire])
    conseillere = ConseillerLogementFactory(territoires=[structure.territoire])
    return {
        "structure": structure,
        "autre": autre,
        "referent": referent,
        "collegue": collegue,
        "etranger": etranger,
        "delegue": delegue,
        "delegue_ailleurs": delegue_ailleurs,
        "conseillere": conseillere,
    }


VEILLE = Modalite.Code.RSA_VEILLE
MOBILISATION = Modalite.Code.RSA_MOBILISATION
SOCIOPRO = Modalite.Code.RSA_SOCIOPRO
