"""Browser journey in real Chromium: the administrator prepares a new version of a modality's frequency
from a future date, reads its impact (nothing saved yet), saves it, sees it « à venir », then withdraws it."""

import datetime
import json
import os
import re

from django.utils import timezone
from playwright.sync_api import expect

from referentiel.models import SurchargeModalite
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import AdministrateurFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import modalite


def _capture(page, nom):
    if os.environ.get("CAPTURES"):
        page.screenshot(path=f"{os.environ['CAPTURES']}/{nom}.png", full_page=True)


def test_l_administrateur_prepare_une_version_et_voit_son_impact(page, live_server):
    jour = timezone.localdate() + datetime.timedelta(days=20)
    mesure = AccompagnementFactory(
        modalite=modalite("RSA_MOBILISATION"), date_debut=timezone.localdate() - datetime.timedelta(days=100)
    )
    EntretienFactory(accompagnement=mesure, date_heure=a_paris(jour - datetime.timedelta(weeks=3)))
    admin = AdministrateurFactory(first_name="Alain", last_name="Masson")

    connecter(page, live_server, admin)
    page.get_by_role("link", name="Référentiel").first.click()
    expect(page.get_by_role("heading", name="Référentiel", exact=True)).to_be_visible()
    verifier_accessibilite(page)
    section = page.get_by_role("region", name="RSA – mobilisation sociale")
    section.get_by_role("link", name="Nouvelle version").click()

    expect(page.get_by_label("Rencontre physique au moins tous les", exact=True)).to_have_value("P6W")
    page.get_by_label("En vigueur à partir du").fill(jour.isoformat())
    page.get_by_label("Rencontre physique au moins tous les", exact=True).fill("P2W")
    page.get_by_label("Source").fill("révision 2027")
    page.get_by_role("button", name="Voir l'impact").click()

    impact = page.get_by_role("region", name=f"Impact le {jour:%d/%m/%Y} (rien n'est encore enregistré)")
    expect(impact).to_contain_text("1 changerait d'état")
    expect(impact).to_contain_text(f"mesure n° {mesure.pk}")
    expect(impact).not_to_contain_text(mesure.resident.nom)  # the administrator reads no file
    assert not SurchargeModalite.objects.exists()
    verifier_accessibilite(page)
    _capture(page, "referentiel-impact")
    page.get_by_role("button", name="Enregistrer la version").click()

    expect(page.get_by_text("Version enregistrée")).to_be_visible()
    section = page.get_by_role("region", name="RSA – mobilisation sociale")
    expect(section.get_by_text("à venir")).to_be_visible()
    _capture(page, "referentiel-liste")
    section.get_by_role("link", name="Modifier").click()
    page.get_by_text("Retirer cette version à venir").click()
    page.get_by_role("button", name=f"Oui, retirer la version du {jour:%d/%m/%Y}").click()
    expect(page.get_by_text("Version à venir retirée")).to_be_visible()
    assert not SurchargeModalite.objects.exists()


def test_pendant_le_calcul_de_l_impact_la_page_dit_qu_il_est_en_cours(page, live_server):
    """The impact of a parameter read by every rule takes seconds on a large base: while it waits, the page
    says the computation is on its way and the button cannot be pressed twice. What the page showed then is
    noted in sessionStorage by an observer, and read once the answer has come."""
    admin = AdministrateurFactory()
    connecter(page, live_server, admin)
    page.get_by_role("link", name="Référentiel").first.click()
    section = page.get_by_role("region", name="RSA – mobilisation sociale")
    section.get_by_role("link", name="Nouvelle version").click()
    page.get_by_label("En vigueur à partir du").fill((timezone.localdate() + datetime.timedelta(days=9)).isoformat())
    page.get_by_label("Rencontre physique au moins tous les", exact=True).fill("P2W")
    page.evaluate(
        """() => {
            const statut = document.querySelector("[role=status][data-statut-envoi]");
            const bouton = [...document.querySelectorAll("button")].find((b) => b.textContent === "Voir l'impact");
            new MutationObserver(() => {
                sessionStorage.setItem("vu", JSON.stringify([statut.textContent, bouton.disabled]));
            }).observe(statut, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="Voir l'impact").click()
    expect(page.get_by_role("region", name=re.compile("^Impact le"))).to_be_visible()
    texte, desactive = json.loads(page.evaluate("() => sessionStorage.getItem('vu')"))
    assert texte.startswith("Calcul en cours") and desactive
