"""Pages not walked by the other journeys, checked with axe-core at « moderate » and above, and the
keyboard on what axe cannot judge (a scrollable table reached by Tab)."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accompagnement.factories import EntretienFactory
from tests.accounts.factories import ReferentFactory, ResponsableFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.pilotage.conftest import SOCIOPRO, a_paris, mesure
from tests.referentiel.factories import StructureFactory

pytestmark = pytest.mark.e2e


def test_bilan_et_tableau_osa_au_clavier(page, live_server):
    annee = datetime.date.today().year - 1
    structure = StructureFactory()
    m = mesure(ReferentFactory(structures=[structure]), SOCIOPRO, datetime.date(annee, 1, 2))
    for semaine in range(12):
        EntretienFactory(
            accompagnement=m, date_heure=a_paris(datetime.date(annee, 2, 2) + datetime.timedelta(weeks=semaine))
        )
    responsable = ResponsableFactory(structures=[structure])
    connecter(page, live_server, responsable)
    page.goto(f"{live_server.url}{reverse('pilotage:bilan')}?annee={annee}")
    tableau = page.get_by_role("region", name="Tableau OSA par semaine")
    expect(tableau.locator("tbody tr").first).to_be_visible()
    verifier_accessibilite(page)
    # The wide table scrolls with the keyboard: the region takes the focus.
    tableau.focus()
    expect(tableau).to_be_focused()
