"""Browser journey in real Chromium: a délégué runs a committee for a référent, records decisions card
by card (htmx), is refused the closing while one person is undecided, decides, closes, downloads the
minutes; the référent then sees the action asked of them."""

import datetime
import re
import subprocess

from django.utils import timezone
from playwright.sync_api import expect

from pilotage.models import ComiteSuivi, DecisionComite
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory

# Marked e2e and transactional (serialized rollback) by tests/e2e/conftest.py.


def test_delegue_tient_un_comite(page, live_server):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure], first_name="Nadia", last_name="Roux")
    delegue = DelegueFactory(territoires=[structure.territoire], first_name="Paul", last_name="Martin")
    debut = timezone.localdate() - datetime.timedelta(days=90)
    AccompagnementFactory(referent=referent, resident__nom="Lefèvre", resident__prenom="Élodie", date_debut=debut)
    AccompagnementFactory(referent=referent, resident__nom="Bernard", resident__prenom="Yanis", date_debut=debut)

    connecter(page, live_server, delegue)
    page.get_by_role("link", name="Comités").first.click()
    page.get_by_label("Référent").select_option(label="Nadia Roux")
    page.get_by_label("Date du comité").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Ouvrir le comité").click()
    expect(page.get_by_role("heading", name="Élodie Lefèvre")).to_be_visible()
    expect(page.get_by_role("heading", name="Yanis Bernard")).to_be_visible()
    # The charts arrive through htmx, each with its table of figures.
    graphiques = page.locator("#graphiques")
    expect(graphiques.get_by_role("img", name="File active par modalité")).to_be_visible()
    expect(graphiques.get_by_role("row").filter(has_text="RSA – accompagnement socioprofessionnel")).to_contain_text(
        "2"
    )
    verifier_accessibilite(page)

    # Every card starts « à décider »: nothing preselected that could look saved.
    carte_elodie = page.locator("article", has=page.get_by_role("heading", name="Élodie Lefèvre"))
    carte_yanis = page.locator("article", has=page.get_by_role("heading", name="Yanis Bernard"))
    for carte in (carte_elodie, carte_yanis):
        expect(carte.get_by_text("À décider", exact=True)).to_be_visible()
        expect(carte.get_by_label("Décision", exact=True)).to_have_value("")

    # One card saved through htmx: only that card changes, the page is not reloaded.
    page.evaluate("() => { window.pageNonRechargee = true; }")
    formulaire = page.get_by_role("form", name="Décision pour Élodie Lefèvre")
    formulaire.get_by_label("Décision").select_option(label="procédure de sanction")
    formulaire.get_by_label("Commentaire").fill("Deux absences non excusées.")
    formulaire.get_by_label("Action demandée au référent").fill("Envoyer le rapport de signalement")
    formulaire.get_by_label("Pour le").fill((timezone.localdate() + datetime.timedelta(days=15)).isoformat())
    formulaire.get_by_role("button", name="Enregistrer la décision").click()
    expect(carte_elodie.get_by_role("status")).to_contain_text("Décision enregistrée pour Élodie Lefèvre")
    expect(carte_elodie.get_by_text(re.compile(r"^Enregistrée à \d{1,2} h \d{2}$"))).to_be_visible()
    expect(carte_yanis.get_by_text("À décider", exact=True)).to_be_visible()
    assert page.evaluate("() => window.pageNonRechargee === true")
    # The count beside « Clore le comité » followed.
    expect(page.locator("#reste-a-decider")).to_contain_text("1 personne sans décision")
    verifier_accessibilite(page)

    # Closing with Yanis undecided is refused, with his name; the minutes typed are kept.
    page.once("dialog", lambda dialogue: dialogue.accept())
    page.get_by_role("textbox", name="Compte rendu").fill("Comité tenu avec Nadia Roux.")
    page.get_by_role("button", name="Clore le comité").click()
    refus = page.locator("#refus-cloture")
    expect(refus).to_contain_text("Le comité ne peut pas être clos : 1 personne sans décision")
    expect(refus.get_by_role("link", name="Yanis Bernard")).to_be_visible()
    expect(refus).not_to_contain_text("Élodie Lefèvre")
    expect(page.get_by_role("textbox", name="Compte rendu")).to_have_value("Comité tenu avec Nadia Roux.")
    assert ComiteSuivi.objects.get().etat == "OUVERT"

    # Decided, then closed.
    formulaire = page.get_by_role("form", name="Décision pour Yanis Bernard")
    formulaire.get_by_label("Décision").select_option(label="poursuite de l'accompagnement")
    formulaire.get_by_role("button", name="Enregistrer la décision").click()
    expect(carte_yanis.get_by_role("status")).to_contain_text("Décision enregistrée pour Yanis Bernard")
    expect(page.locator("#reste-a-decider")).to_contain_text("Chaque personne a une décision")
    assert DecisionComite.objects.count() == 2
    page.once("dialog", lambda dialogue: dialogue.accept())
    page.get_by_role("button", name="Clore le comité").click()
    expect(page.get_by_role("status")).to_contain_text("Comité clos.")
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)
    verifier_accessibilite(page)

    # The minutes: attendees, figures, each decision, signatures.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le compte rendu (PDF)").click()
    chemin = telechargement.value.path()
    with open(chemin, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert telechargement.value.suggested_filename.endswith(".pdf")
    texte = " ".join(
        subprocess.run(["pdftotext", str(chemin), "-"], capture_output=True, check=True, text=True).stdout.split()
    )
    assert "Paul Martin, délégué·e insertion, président·e du comité" in texte
    assert "Nadia Roux, référent·e RSA" in texte
    assert "Personnes examinées 2" in texte and "Décision : procédure de sanction 1" in texte
    assert re.search(r"Yanis .*Bernard.*poursuite de .*l'accompagnement", texte)
    assert "Comité tenu avec Nadia Roux." in texte and "Signatures" in texte

    # The référent sees the decision and the action asked of them, read-only.
    page.context.clear_cookies()
    connecter(page, live_server, referent)
    page.get_by_role("link", name="Comités").first.click()
    page.get_by_role("link", name=timezone.localdate().strftime("%d/%m/%Y")).click()
    expect(page.get_by_text("Action demandée : Envoyer le rapport de signalement")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)
    verifier_accessibilite(page)


def test_les_cartes_suivantes_arrivent_en_descendant(page, live_server, monkeypatch):
    """A long committee: the page brings a first block of cards, the next ones load as the chair
    scrolls down to them, and a card further down can be saved like the first ones."""
    from pilotage import views

    monkeypatch.setattr(views, "CARTES_PAR_BLOC", 2)
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    delegue = DelegueFactory(territoires=[structure.territoire])
    debut = timezone.localdate() - datetime.timedelta(days=90)
    noms = ["Arnaud", "Bernard", "Caron", "Durand", "Etienne"]
    for nom in noms:
        AccompagnementFactory(referent=referent, resident__nom=nom, resident__prenom="Léa", date_debut=debut)
    comite = ComiteSuivi.objects.create(
        type=ComiteSuivi.Type.TRIMESTRIEL_RSA,
        referent=referent,
        territoire=structure.territoire,
        president=delegue,
        date=timezone.localdate(),
    )
    connecter(page, live_server, delegue)
    page.goto(f"{live_server.url}/pilotage/comites/{comite.pk}/")
    expect(page.get_by_role("heading", name="Personnes accompagnées (5)")).to_be_visible()
    derniere = page.get_by_role("heading", name="Léa Etienne")
    expect(derniere).to_have_count(0)  # not with the page
    page.get_by_role("heading", name="Léa Bernard").scroll_into_view_if_needed()
    page.mouse.wheel(0, 20000)
    page.get_by_role("heading", name="Léa Durand").scroll_into_view_if_needed()
    page.mouse.wheel(0, 20000)
    expect(derniere).to_be_visible()
    expect(page.locator("article")).to_have_count(5)
    formulaire = page.get_by_role("form", name="Décision pour Léa Etienne")
    formulaire.get_by_label("Décision").select_option(label="poursuite de l'accompagnement")
    formulaire.get_by_role("button", name="Enregistrer la décision").click()
    carte = page.locator("article", has=derniere)
    expect(carte.get_by_role("status")).to_contain_text("Décision enregistrée pour Léa Etienne")
    assert DecisionComite.objects.get(comite=comite).accompagnement.resident.nom == "Etienne"
    verifier_accessibilite(page)
