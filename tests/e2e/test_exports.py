"""A list exported from its page in a real browser: the file arrives and both buttons work again."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory

pytestmark = pytest.mark.e2e


def test_exporter_les_personnes_filtrees_puis_encore(page, live_server):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    ResidentFactory(structure=structure, nom="Lefèvre", prenom="Élodie")
    ResidentFactory(structure=structure, nom="Martin", prenom="Paul")
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}{reverse('residents:liste')}?q=lefevre")
    verifier_accessibilite(page)
    excel = page.get_by_role("button", name="Télécharger la liste (Excel)")
    csv = page.get_by_role("button", name="CSV")
    with page.expect_download() as telechargement:
        csv.click()
    contenu = Path(telechargement.value.path()).read_text(encoding="utf-8-sig")
    assert "Lefèvre" in contenu and "Martin" not in contenu
    # Both buttons come back once the file has arrived (they stayed disabled until a reload).
    expect(csv).to_be_enabled()
    expect(excel).to_be_enabled()
    with page.expect_download() as second:
        excel.click()
    assert second.value.suggested_filename.endswith(".xlsx")
