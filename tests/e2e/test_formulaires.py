"""Forms rendered by crispy-forms, seen in Chromium: each error stands next to its field, in French, the
field marked invalid and named by the summary; a contract's forms have Bootstrap's look and their
labels; the pages pass axe."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contrats.models import Contrat
from tests.accompagnement.factories import AccompagnementFactory, DiagnosticFactory
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


@pytest.fixture
def mesure():
    referent = ReferentFactory(structures=[StructureFactory()])
    return AccompagnementFactory(
        referent=referent, resident__nom="Bernard", resident__prenom="Lucie", date_debut=timezone.localdate()
    )


def test_l_erreur_d_un_entretien_est_a_cote_de_son_champ(page, live_server, mesure):
    connecter(page, live_server, mesure.referent)
    page.goto(f"{live_server.url}{reverse('residents:dossier', args=[mesure.resident_id])}")
    formulaire = page.locator("#form-entretien")
    expect(formulaire).to_contain_text("Les champs marqués d’un astérisque (*) sont obligatoires.")
    formulaire.get_by_label("Durée (minutes)").fill("0")
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()

    champ = formulaire.get_by_label("Durée (minutes)")
    expect(champ).to_have_attribute("aria-invalid", "true")
    expect(champ).to_have_class(re.compile(r"\bform-control\b.*\bis-invalid\b"))
    erreur = formulaire.locator("#div_id_duree_minutes .invalid-feedback")
    expect(erreur).to_be_visible()
    expect(erreur).to_have_text("Assurez-vous que cette valeur est supérieure ou égale à 1.")
    # Announced by the field itself, and by the summary at the top, whose link leads to it.
    expect(champ).to_have_attribute("aria-describedby", re.compile(r"\bid_duree_minutes_error\b"))
    lien = formulaire.locator("[data-erreurs-formulaire] a", has_text="Durée (minutes)")
    expect(lien).to_have_attribute("href", "#id_duree_minutes")
    verifier_accessibilite(page)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_les_formulaires_d_un_contrat(page, live_server, mesure):
    DiagnosticFactory(accompagnement=mesure)  # the first contract follows it
    connecter(page, live_server, mesure.referent)
    page.goto(live_server.url + reverse("contrats:nouveau", kwargs={"accompagnement_pk": mesure.pk}))
    page.get_by_role("button", name="Créer le brouillon").click()  # no start date
    debut = page.get_by_label("début")
    expect(debut).to_have_class(re.compile(r"\bform-control\b.*\bis-invalid\b"))
    expect(page.locator("#div_id_date_debut .invalid-feedback")).to_have_text("Ce champ est obligatoire.")
    expect(page.get_by_label("type de contrat")).to_have_class(re.compile(r"\bform-select\b"))
    verifier_accessibilite(page)

    debut.fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("brouillon")
    contrat = Contrat.objects.get(accompagnement=mesure)
    page.goto(live_server.url + contrat.get_absolute_url())
    # The abandon form beside its button: one line, named for screen readers, the label as placeholder.
    motif = page.get_by_label("motif de l'abandon")
    expect(motif).to_have_attribute("placeholder", "Motif de l'abandon")
    expect(motif).to_have_class(re.compile(r"\bform-control-sm\b"))
    verifier_accessibilite(page)
    motif.fill("La personne a déménagé.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Abandonner").click()
    expect(page.get_by_text("Contrat abandonné.")).to_be_visible()
    contrat.refresh_from_db()
    assert contrat.etat == Contrat.Etat.ANNULE and contrat.transitions.filter(motif__contains="déménagé").exists()
