"""The RSA orientation in a real Chromium: the délégué finds a beneficiary nobody accompanies yet in « À
orienter », orients her to an MSVS and downloads the letter; the MSVS's responsable designates her
référent from « À affecter »; the référent asks for a réorientation, the délégué accepts it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Accompagnement, DecisionOrientation
from tests.accounts.factories import DelegueFactory, ReferentFactory, ResponsableFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_orienter_affecter_puis_reorienter_sur_demande(page, live_server):
    service = StructureFactory(type="SERVICE_CD", nom="Pôle insertion")
    msvs = StructureFactory(territoire=service.territoire, nom="MSVS de Saint-Dié")
    delegue = DelegueFactory(territoires=[service.territoire])
    responsable = ResponsableFactory(structures=[msvs])
    referente = ReferentFactory(structures=[msvs], first_name="Nadia", last_name="Pierrat")
    personne = ResidentFactory(
        structure=service,
        nom="Lambert",
        prenom="Inès",
        date_ouverture_rsa=timezone.localdate() - datetime.timedelta(days=40),
    )

    connecter(page, live_server, delegue)
    page.get_by_role("link", name="À orienter").first.click()
    expect(page.get_by_role("link", name="Inès Lambert", exact=True)).to_be_visible()
    expect(page.locator(".etat-echeance--en-retard")).to_be_visible()  # the month after the right opened has passed
    verifier_accessibilite(page)
    page.get_by_role("link", name="Orienter Inès").click()
    page.get_by_label("Modalité d'accompagnement").select_option(label="RSA – accompagnement socioprofessionnel")
    page.get_by_label("Organisme référent").select_option(label="MSVS de Saint-Dié")
    page.get_by_label("Date de la décision").fill((timezone.localdate() - datetime.timedelta(days=10)).isoformat())
    page.get_by_label("Éléments retenus").fill("Projet de formation en logistique.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Orientation enregistrée")).to_be_visible()
    expect(page.get_by_text("à désigner par MSVS de Saint-Dié")).to_be_visible()
    with page.expect_download() as telechargement:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'l.pdf'; a.click(); }",
            reverse("accompagnement:orientation_lettre", args=[DecisionOrientation.objects.get().pk]),
        )
    assert telechargement.value.path().read_bytes().startswith(b"%PDF-")

    page.context.clear_cookies()
    connecter(page, live_server, responsable)
    page.get_by_role("link", name="À affecter").first.click()
    verifier_accessibilite(page)
    page.get_by_role("link", name="Affecter Inès").click()
    page.get_by_role("combobox", name="Référent").select_option(label="Nadia Pierrat")
    page.get_by_label("Début de l'accompagnement").fill((timezone.localdate() - datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Ouvrir l'accompagnement").click()
    expect(page.get_by_text("Accompagnement ouvert : Nadia Pierrat")).to_be_visible()
    expect(page.get_by_role("heading", name="Orientation RSA")).to_be_visible()
    mesure = Accompagnement.objects.get(resident=personne)
    assert mesure.referent == referente

    page.context.clear_cookies()
    connecter(page, live_server, referente)
    page.goto(live_server.url + reverse("residents:dossier", args=[personne.pk]))
    page.get_by_role("link", name="Demander une réorientation").click()
    page.get_by_label("Modalité proposée").select_option(label="RSA – mobilisation sociale")
    page.get_by_label("Motif").fill("Problèmes de santé : remobiliser d'abord.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Demande envoyée au délégué insertion")).to_be_visible()

    page.context.clear_cookies()
    connecter(page, live_server, delegue)
    page.get_by_role("link", name="Réorientations").first.click()
    page.get_by_role("link", name="En attente de décision : demande pour Inès").click()
    verifier_accessibilite(page)
    page.get_by_role("button", name="Accepter la réorientation").click()
    expect(page.get_by_text("Réorientation décidée.")).to_be_visible()
    mesure.refresh_from_db()
    assert mesure.date_fin is not None
    assert Accompagnement.objects.get(resident=personne, date_fin__isnull=True).modalite.code == "RSA_MOBILISATION"
