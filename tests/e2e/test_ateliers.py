"""Workshops in Chromium: the participant picker narrowed by typing (accents aside), then the workshop
edited and cancelled after a confirmation. axe-core checks each screen."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import ActionCollective
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory


def test_choisir_les_participants_en_tapant_puis_annuler_l_atelier(page, live_server):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    elodie = ResidentFactory(structure=structure, nom="Lefèvre", prenom="Élodie")
    autres = [ResidentFactory(structure=structure, nom=f"Martin{i}", prenom="Paul") for i in range(5)]

    connecter(page, live_server, referent)
    page.get_by_role("link", name="Ateliers").first.click()
    expect(page.get_by_role("heading", name="Ce mois-ci")).to_be_visible()
    page.get_by_role("link", name="Nouvel atelier").click()
    page.get_by_label("Thème").fill("Budget")
    une_heure_avant = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_label("Date et heure").fill(une_heure_avant.strftime("%Y-%m-%dT%H:%M"))

    # Typed without accents, the filter keeps Élodie alone; Enter does not send the form.
    filtre = page.get_by_label("Filtrer les personnes (nom, avec ou sans accents)")
    filtre.fill("elodie lefevre")
    filtre.press("Enter")
    expect(page.get_by_text("1 personne affichée sur 6.")).to_be_visible()
    expect(page.get_by_label(str(autres[0]), exact=True)).to_be_hidden()
    case = page.get_by_label(str(elodie), exact=True)
    case.focus()
    page.keyboard.press("Space")
    expect(case).to_be_checked()
    verifier_accessibilite(page)
    filtre.fill("")
    expect(page.get_by_text("6 personnes affichées sur 6.")).to_be_visible()
    page.get_by_label(str(autres[0]), exact=True).check()
    page.get_by_role("button", name="Enregistrer l'atelier").click()
    expect(page.get_by_text("Participants (2)")).to_be_visible()
    verifier_accessibilite(page)

    # Edited: a third person.
    page.get_by_role("link", name="Modifier l'atelier").click()
    verifier_accessibilite(page)
    page.get_by_label(str(autres[1]), exact=True).check()
    page.get_by_role("button", name="Enregistrer l'atelier").click()
    expect(page.get_by_text("Participants (3)")).to_be_visible()

    # Cancelled, with a reason, after saying no once to the confirmation.
    page.get_by_role("link", name="Annuler l'atelier").click()
    verifier_accessibilite(page)
    page.get_by_label("Motif de l'annulation").fill("Salle indisponible.")
    page.once("dialog", lambda dialogue: dialogue.dismiss())
    page.get_by_role("button", name="Annuler l'atelier").click()
    expect(page.get_by_role("heading", name="Annuler l'atelier « Budget »")).to_be_visible()
    assert not ActionCollective.objects.get().est_annulee
    page.once("dialog", lambda dialogue: dialogue.accept())
    page.get_by_role("button", name="Annuler l'atelier").click()
    expect(page.get_by_text("Atelier annulé.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Salle indisponible.")).to_be_visible()
    verifier_accessibilite(page)
    action = ActionCollective.objects.get()
    assert action.est_annulee and not action.participations.exists()
