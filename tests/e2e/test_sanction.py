"""The sanction procedure in a real Chromium (issue 19 §4): the référent records two unexcused absences,
reports to the délégué with a supporting document, records the person's observations; the délégué
informs her, records the équipe pluridisciplinaire's opinion, decides a suspension-remobilisation, then
lifts it. axe-core checks the screens."""

import datetime
import io
import re

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accompagnement.models import Entretien
from echeances.models import SignalementSanction
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


def _etape(page, titre, champs, bouton):
    section = page.locator("section", has=page.get_by_role("heading", name=titre))
    for libelle, valeur in champs.items():
        # The label may end with the required mark: its beginning, whole.
        champ = section.get_by_label(re.compile("^" + re.escape(libelle) + r"\W*$"))
        if champ.evaluate("c => c.tagName") == "SELECT":
            champ.select_option(valeur)
        else:
            champ.fill(valeur)
    section.get_by_role("button", name=bouton).click()


def test_procedure_de_sanction(page, live_server, tmp_path):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure], first_name="Nadia", last_name="Roux")
    delegue = DelegueFactory(territoires=[structure.territoire], first_name="Paul", last_name="Marchal")
    aujourdhui = timezone.localdate()
    mesure = AccompagnementFactory(
        referent=referent,
        resident__nom="Lefèvre",
        resident__prenom="Élodie",
        date_debut=aujourdhui - datetime.timedelta(days=90),
    )
    for jours in (20, 10):
        EntretienFactory(
            accompagnement=mesure,
            statut=Entretien.Statut.PLANIFIE,
            date_heure=timezone.now() - datetime.timedelta(days=jours),
        )

    # The référent closes both rendez-vous: the person came to neither, without excuse.
    connecter(page, live_server, referent)
    for _ in range(2):
        page.get_by_role("link", name="Rendez-vous").first.click()
        page.get_by_role("link", name="Clôturer le rendez-vous de Élodie Lefèvre").first.click()
        page.get_by_label("Issue du rendez-vous").select_option("ABSENT_NON_EXCUSE")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("Rendez-vous clôturé.")).to_be_visible()
    assert Entretien.objects.filter(accompagnement=mesure, statut="ABSENT_NON_EXCUSE").count() == 2

    # The dossier's échéance leads to the report, with the absences attached.
    page.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
    page.locator("#echeances-dossier").get_by_role("link", name="Y aller : absences non excusées").click()
    expect(page.get_by_role("heading", name="Absences jointes automatiquement")).to_be_visible()
    page.get_by_label("Motif").fill("Deux rendez-vous manqués sans nouvelles malgré deux relances écrites.")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Adresser le signalement").click()
    expect(page.get_by_text("Signalement adressé au délégué insertion.")).to_be_visible()
    signalement = SignalementSanction.objects.get()
    image = tmp_path / "relance.png"
    tampon = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(tampon, format="PNG")
    image.write_bytes(tampon.getvalue())
    page.get_by_label("Pièce justificative").set_input_files(str(image))
    page.get_by_role("button", name="Joindre la pièce").click()
    expect(page.get_by_role("link", name="relance.png")).to_be_visible()
    verifier_accessibilite(page)

    # The délégué informs the person (the letter is ready).
    page.context.clear_cookies()
    connecter(page, live_server, delegue)
    page.goto(f"{live_server.url}/echeances/signalements/")
    expect(page.get_by_role("cell", name="Signalé, personne à informer")).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_role("link", name="Instruire le signalement de Élodie Lefèvre").click()
    _etape(page, "Informer la personne", {}, "Enregistrer l'information")
    expect(page.get_by_text("Information enregistrée.")).to_be_visible()
    expect(page.get_by_role("link", name="courrier (PDF)")).to_be_visible()

    # The référent records what the person said.
    page.context.clear_cookies()
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/echeances/signalements/{signalement.pk}/")
    _etape(
        page,
        "Enregistrer ses observations",
        {"Observations de la personne": "Elle n'avait pas reçu les convocations (changement d'adresse)."},
        "Enregistrer les observations",
    )
    expect(page.get_by_text("Observations enregistrées.")).to_be_visible()
    expect(page.get_by_text("Observations reçues, avis de l'équipe pluridisciplinaire attendu")).to_be_visible()

    # The délégué: the équipe's opinion, a suspension-remobilisation, then its lifting.
    page.context.clear_cookies()
    connecter(page, live_server, delegue)
    page.goto(f"{live_server.url}/echeances/signalements/{signalement.pk}/")
    _etape(
        page,
        "Avis de l'équipe pluridisciplinaire",
        {"Avis de l'équipe pluridisciplinaire": "Suspension partielle d'un mois, nouveau rendez-vous fixé."},
        "Enregistrer l'avis",
    )
    expect(page.get_by_text("Avis de l'équipe pluridisciplinaire enregistré.")).to_be_visible()
    debut = (aujourdhui + datetime.timedelta(days=1)).isoformat()
    _etape(
        page,
        "Décision",
        {
            "Décision": "SUSPENSION",
            "Part du RSA suspendue (%)": "30",
            "Durée (mois)": "1",
            "Suspension à compter du": debut,
            "Motif de la décision": "Avis de l'équipe suivi.",
        },
        "Enregistrer la décision",
    )
    expect(page.get_by_text("Décision enregistrée.")).to_be_visible()
    expect(page.get_by_text("Suspension-remobilisation en cours")).to_be_visible()
    verifier_accessibilite(page)
    _etape(
        page,
        "Lever la suspension",
        {"La personne a respecté ses engagements : comment": "Présente aux deux derniers rendez-vous."},
        "Lever la suspension",
    )
    expect(page.get_by_text("Suspension levée.")).to_be_visible()
    signalement.refresh_from_db()
    assert (signalement.etape, signalement.suspension_taux, signalement.issue_par) == ("LEVE", 30, delegue)
    assert signalement.etapes.count() == 6

    # The person's dossier shows the report and its step.
    page.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
    expect(page.locator("#sanctions-dossier")).to_contain_text("Suspension levée")
