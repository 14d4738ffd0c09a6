"""Issue 19 §3 in a real Chromium: a référent goes to draft an RSA measure's first contrat d'engagement,
is sent to the diagnostic global partagé first, fills it with the person, comes back to the contract and
drafts it. And the entretien form asks the outcome of a rencontre tripartite for that kind only."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Diagnostic
from contrats.models import Contrat
from referentiel.models import TypeContrat
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


@pytest.fixture
def mesure():
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure], first_name="Nadia", last_name="Roux")
    DelegueFactory(territoires=[structure.territoire], first_name="Paul", last_name="Delorme")
    return AccompagnementFactory(
        referent=referent, resident__nom="Garnier", resident__prenom="Inès", date_debut=timezone.localdate()
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_le_diagnostic_avant_le_premier_contrat(page, live_server, mesure):
    connecter(page, live_server, mesure.referent)
    page.goto(live_server.url + reverse("residents:dossier", args=[mesure.resident_id]))
    section = page.locator("section", has=page.get_by_role("heading", name="Diagnostic", exact=True))
    expect(section).to_contain_text("Aucun diagnostic global partagé : il précède le premier contrat.")

    page.get_by_role("link", name="Rédiger un contrat").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Le diagnostic global partagé précède le premier contrat (référentiel des Vosges)"
    )
    expect(page.get_by_role("button", name="Créer le brouillon")).to_have_count(0)
    verifier_accessibilite(page)

    page.get_by_role("link", name="Faire le diagnostic d'abord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic global partagé")
    page.get_by_label("Logement").fill("Hébergée chez sa sœur, cherche un T2.")
    page.get_by_label("Mobilité").fill("Pas de permis, bus deux fois par jour.")
    page.get_by_label("Ce que la personne en dit").fill("Je veux d'abord un logement, puis un emploi.")
    page.get_by_label("Freins identifiés").fill("Logement, mobilité.")
    page.get_by_label("Leviers identifiés").fill("CAP cuisine, motivée.")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Diagnostic enregistré : vous pouvez maintenant rédiger le contrat.")).to_be_visible()
    page.get_by_label("type de contrat").select_option(TypeContrat.CONTRAT_ENGAGEMENT)
    page.get_by_label("début").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("brouillon")

    diagnostic = Diagnostic.objects.get()
    assert (diagnostic.accompagnement, diagnostic.auteur) == (mesure, mesure.referent)
    assert Contrat.objects.get().type == TypeContrat.CONTRAT_ENGAGEMENT

    page.goto(live_server.url + reverse("residents:dossier", args=[mesure.resident_id]))
    lien = page.get_by_role("link", name=f"Diagnostic global partagé du {timezone.localdate():%d/%m/%Y}")
    lien.click()
    expect(page.get_by_text("Je veux d'abord un logement, puis un emploi.")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_l_issue_de_la_rencontre_tripartite_n_est_demandee_que_pour_elle(page, live_server, mesure):
    connecter(page, live_server, mesure.referent)
    page.goto(live_server.url + reverse("residents:dossier", args=[mesure.resident_id]))
    formulaire = page.locator("#form-entretien")
    issue = formulaire.get_by_label("Issue de la rencontre tripartite")
    expect(issue).to_be_hidden()
    formulaire.get_by_label("Type de contact").select_option("DROITS_DEVOIRS")
    expect(issue).to_be_visible()
    issue.select_option("RAPPELES")
    formulaire.get_by_label("Paul Delorme").check()
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire).to_contain_text("Entretien enregistré.")
    # The blank form that follows is an « entretien au bureau » again: the outcome hides.
    expect(formulaire.get_by_label("Issue de la rencontre tripartite")).to_be_hidden()
    expect(page.locator("#entretiens")).to_contain_text("Issue : droits et devoirs rappelés")
    expect(page.locator("#entretiens")).to_contain_text("Paul Delorme")
