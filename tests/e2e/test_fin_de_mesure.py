"""Ending a measure in a real Chromium: the modality's exit conditions (référentiel, seed 003) are offered,
two are ticked, and the dossier's parcours shows them. axe-core checks the form."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Accompagnement
from referentiel.models import ConditionSortie, Modalite
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


def test_terminer_une_mesure_en_cochant_ses_conditions_de_sortie(page, live_server):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    mesure = AccompagnementFactory(
        referent=referent,
        modalite=Modalite.objects.get(code=Modalite.Code.RSA_MOBILISATION),
        resident__nom="Garnier",
        resident__prenom="Inès",
        date_debut=timezone.localdate() - datetime.timedelta(days=200),
    )
    favorable, acces, _ = ConditionSortie.objects.filter(modalite=mesure.modalite).order_by("ordre")

    connecter(page, live_server, referent)
    page.goto(live_server.url + reverse("residents:dossier", args=[mesure.resident_id]))
    page.get_by_role("link", name="Terminer (RSA – mobilisation sociale)").click()
    expect(page.get_by_role("heading", name="Terminer l'accompagnement")).to_be_visible()

    # Only the modality's conditions: three checkboxes, none ticked.
    cases = page.get_by_role("group", name="Conditions de sortie remplies").get_by_role("checkbox")
    expect(cases).to_have_count(3)
    verifier_accessibilite(page)

    page.get_by_label("Motif").select_option("OBJECTIFS_ATTEINTS")
    page.get_by_label("Destination").select_option("MEME_LOGEMENT")
    page.get_by_label(favorable.libelle).check()
    page.get_by_label(acces.libelle).check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Accompagnement terminé.")).to_be_visible()
    parcours = page.get_by_role("article", name="RSA – mobilisation sociale", exact=True)
    expect(parcours).to_contain_text("Conditions de sortie remplies")
    expect(parcours.get_by_role("listitem").filter(has_text=favorable.libelle)).to_be_visible()
    expect(parcours.get_by_role("listitem").filter(has_text=acces.libelle)).to_be_visible()
    terminee = Accompagnement.objects.get(pk=mesure.pk)
    assert terminee.date_fin == timezone.localdate()
    assert set(terminee.conditions_sortie.all()) == {favorable, acces}
