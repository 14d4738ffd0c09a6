"""The conseillère logement's caseload in a real Chromium (issue 17 §4): her home page counts the ASLL and
accompagnement global measures of her territory, the file active lists them whoever their référent,
she filters by référent and opens a dossier she reads. axe-core checks every screen."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from referentiel.models import Modalite
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ConseillerLogementFactory, ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory, TerritoireFactory, modalite


def test_la_conseillere_logement_ouvre_sa_file_asll(page, live_server):
    territoire = TerritoireFactory(nom="Plaine des Vosges")
    debut = timezone.localdate() - datetime.timedelta(days=20)
    msvs = StructureFactory(territoire=territoire, nom="MSVS de Neufchâteau")
    association = StructureFactory(territoire=territoire, nom="Association Toit", type="ASSOCIATION")
    claire = ReferentFactory(structures=[msvs], first_name="Claire", last_name="Vautrin")
    paul = ReferentFactory(structures=[association], first_name="Paul", last_name="Mougel")
    asll = modalite(Modalite.Code.ASLL)
    AccompagnementFactory(
        referent=claire, modalite=asll, resident__nom="Girardin", resident__prenom="Inès", date_debut=debut
    )
    AccompagnementFactory(
        referent=paul, modalite=asll, resident__nom="Thiriet", resident__prenom="Marc", date_debut=debut
    )
    # Not hers: an RSA measure of the same structure, an ASLL measure of another territory.
    AccompagnementFactory(referent=claire, resident__nom="Colin", date_debut=debut)
    AccompagnementFactory(modalite=asll, resident__nom="Ailleurs", date_debut=debut)
    conseillere = ConseillerLogementFactory(territoires=[territoire], first_name="Sophie", last_name="Didier")

    connecter(page, live_server, conseillere)

    # Her home page counts what the file active lists.
    expect(page.get_by_role("link", name="2 mesure(s) logement en cours sur vos territoires")).to_be_visible()
    verifier_accessibilite(page)

    page.get_by_role("link", name="File active").first.click()
    expect(page.get_by_role("heading", name="File active")).to_be_visible()
    tableau = page.locator("#file-active")
    expect(tableau).to_contain_text("2 mesures actives")
    expect(tableau).to_contain_text("GIRARDIN")
    expect(tableau).to_contain_text("THIRIET")
    expect(tableau).not_to_contain_text("COLIN")
    expect(tableau).not_to_contain_text("AILLEURS")
    # The modality filter offers her field only.
    options = page.get_by_label("Modalité").locator("option").all_inner_texts()
    assert not any(texte.startswith(("FJT", "RSA")) for texte in options), options
    verifier_accessibilite(page)

    # By référent (htmx: the table reloads without the page).
    page.get_by_label("Référent").select_option(label=str(paul))
    expect(tableau).to_contain_text("1 mesure active")
    expect(tableau).to_contain_text("THIRIET")
    expect(tableau).not_to_contain_text("GIRARDIN")
    verifier_accessibilite(page)

    # She reads the dossier; she writes nothing there.
    page.get_by_role("link", name="THIRIET Marc").click()
    expect(page.get_by_role("heading", name="Marc THIRIET")).to_be_visible()
    expect(page.locator("#form-entretien")).to_have_count(0)
    verifier_accessibilite(page)
