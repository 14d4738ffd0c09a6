"""A référent finds next week's rendez-vous in the agenda, with the keyboard, and opens the dossier.
axe-core checks each screen."""

import datetime

from django.utils import formats, timezone
from playwright.sync_api import expect

from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


def test_le_rendez_vous_de_mardi_prochain_dans_l_agenda(page, live_server):
    referent = ReferentFactory(structures=[StructureFactory()], first_name="Nadia", last_name="Roux")
    mesure = AccompagnementFactory(referent=referent, resident__nom="Lefèvre", resident__prenom="Élodie")
    aujourdhui = timezone.localdate()
    mardi = aujourdhui + datetime.timedelta(days=7 - aujourdhui.weekday() + 1)
    EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        lieu="Bureau 2",
        date_heure=timezone.make_aware(datetime.datetime.combine(mardi, datetime.time(14, 30))),
    )

    connecter(page, live_server, referent)
    page.get_by_role("link", name="Agenda").first.click()
    expect(page.get_by_role("heading", name="Agenda des rendez-vous")).to_be_visible()
    expect(page.locator('[aria-current="date"]')).to_contain_text("Aujourd'hui")
    expect(page.get_by_role("link", name="Élodie Lefèvre")).to_have_count(0)
    verifier_accessibilite(page)

    # Next week, by the keyboard: the link is a real link.
    suivante = page.get_by_role("link", name="Période suivante")
    suivante.focus()
    page.keyboard.press("Enter")
    titre = formats.date_format(mardi, "l j F Y")
    jour = page.get_by_role("region", name=titre)
    expect(jour).to_contain_text("14:30")
    expect(jour).to_contain_text("Bureau 2")
    verifier_accessibilite(page)

    # The month shows it too, then the dossier opens from it.
    page.get_by_role("link", name="Mois").click()
    expect(page.get_by_role("link", name="Mois")).to_have_attribute("aria-current", "page")
    if mardi.month != aujourdhui.month:
        page.get_by_role("link", name="Période suivante").click()
    lien = page.get_by_role("region", name=titre).get_by_role("link", name="Élodie Lefèvre")
    lien.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Élodie LEFÈVRE")).to_be_visible()
