"""A référent's day in a real Chromium: file active, dossier, a phone call and a home visit logged with
htmx (the due dates change without a reload), a rendez-vous planned then marked absent, a workshop of
six people. axe-core checks every screen."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import ActionCollective, Entretien
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory


def tabuler(page, attendu, *, touche="Tab", depuis=None, appuis_max=10):
    """Press Tab (or `touche`) once and check the focus is on `attendu`. With `depuis`, a field with
    inner stops of its own (a datetime-local's day, month, year, hours, minutes): Tab until the focus
    leaves it, and it must then land on `attendu`, nowhere else."""
    page.keyboard.press(touche)
    if depuis is not None:
        for _ in range(appuis_max):
            if not depuis.evaluate("champ => champ === document.activeElement"):
                break
            page.keyboard.press(touche)
    expect(attendu).to_be_focused()


def test_journee_d_un_referent(page, live_server):
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure], first_name="Nadia", last_name="Roux")
    mesure = AccompagnementFactory(
        referent=referent,
        resident__nom="Lefèvre",
        resident__prenom="Élodie",
        date_debut=timezone.localdate() - datetime.timedelta(days=60),
    )
    autres = ResidentFactory.create_batch(5, structure=structure)

    connecter(page, live_server, referent)

    # File active: the measure is there, overdue (no contact for 60 days).
    page.get_by_role("link", name="File active").first.click()
    expect(page.get_by_role("heading", name="File active")).to_be_visible()
    ligne = page.get_by_role("row").filter(has_text="Élodie")
    expect(ligne).to_contain_text("En retard")
    page.get_by_label("Nom (avec ou sans accents)").fill("elodie lefevre")
    expect(page.locator("#file-active")).to_contain_text("1 mesure active")
    verifier_accessibilite(page)

    # Dossier.
    page.get_by_role("link", name="LEFÈVRE Élodie").click()
    expect(page.get_by_role("heading", name="Élodie LEFÈVRE")).to_be_visible()
    verifier_accessibilite(page)
    contact_avant = page.locator('#suivi [data-echeance="contact"]').inner_text()
    rencontre_avant = page.locator('#suivi [data-echeance="rencontre"]').inner_text()
    # « Échéances à traiter » comes with the sections htmx asks for once the page is shown.
    expect(page.locator("#echeances-dossier")).to_contain_text("En retard")
    echeances_avant = page.locator("#echeances-dossier .list-group-item").count()

    # A phone call, keyboard only, from the top of the page: the skip link, then Tab through the
    # form in the order a référent fills it in (kind, date and time, duration, presence, place…).
    formulaire = page.locator("#form-entretien")
    page.keyboard.press("Tab")
    evitement = page.get_by_role("link", name="Aller au contenu")
    expect(evitement).to_be_focused()
    expect(evitement).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_be_focused()
    tabuler(page, page.get_by_role("link", name="Modifier l'identité"))
    # The échéances table scrolls in a narrow column: its region takes a stop, so it scrolls by keyboard.
    tabuler(page, page.get_by_role("region", name="Échéances des mesures actives"))
    tabuler(page, formulaire.get_by_label("Type de contact"))
    page.keyboard.type("appel")  # type-ahead in the closed list
    expect(formulaire.get_by_label("Type de contact")).to_have_value("TELEPHONE")
    # « Date et heure » keeps its default (now); Tab walks its day, month, year, hours, minutes first.
    tabuler(page, formulaire.get_by_label("Date et heure"))
    tabuler(page, formulaire.get_by_label("Durée (minutes)"), depuis=formulaire.get_by_label("Date et heure"))
    page.keyboard.type("10")
    tabuler(page, formulaire.get_by_label("Présence"))
    tabuler(page, formulaire.get_by_label("Lieu"))
    tabuler(page, formulaire.get_by_label("Présence"), touche="Shift+Tab")  # back, and forth again
    tabuler(page, formulaire.get_by_label("Lieu"))
    tabuler(page, formulaire.get_by_label("Notes"))
    page.keyboard.type("Appel au sujet du dossier CAF.")
    tabuler(page, formulaire.get_by_label("Note confidentielle"))
    tabuler(page, formulaire.get_by_role("button", name="Enregistrer l'entretien"))
    page.keyboard.press("Enter")
    expect(page.locator("#form-entretien")).to_contain_text("Entretien enregistré.")
    appel = Entretien.objects.get(accompagnement=mesure)
    assert (appel.type, appel.duree_minutes, appel.statut, appel.confidentiel) == ("TELEPHONE", 10, "HONORE", False)
    expect(page.locator("#entretiens")).to_contain_text("Appel au sujet du dossier CAF.")
    expect(page.locator('#suivi [data-echeance="contact"]')).not_to_have_text(contact_avant)
    expect(page.locator('#suivi [data-echeance="rencontre"]')).to_have_text(rencontre_avant)
    # « Échéances à traiter » reloads too: the overdue contact is gone.
    expect(page.locator("#echeances-dossier .list-group-item")).to_have_count(echeances_avant - 1)

    # A home visit: now the physical meeting's due date moves too.
    page.locator("#form-entretien").get_by_label("Type de contact").select_option("VAD")
    page.locator("#form-entretien").get_by_label("Notes").fill("Visite du logement, état correct.")
    page.locator("#form-entretien").get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.locator("#entretiens")).to_contain_text("Visite du logement")
    expect(page.locator('#suivi [data-echeance="rencontre"]')).not_to_have_text(rencontre_avant)
    assert Entretien.objects.filter(accompagnement=mesure, statut="HONORE").count() == 2
    verifier_accessibilite(page)

    # A rendez-vous tomorrow...
    page.get_by_role("link", name="Planifier un rendez-vous").click()
    demain = timezone.localtime() + datetime.timedelta(days=1)
    page.get_by_label("Type").select_option("BUREAU")
    page.get_by_label("Date et heure").fill(demain.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Lieu").fill("Bureau 4")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text("Rendez-vous planifié.")).to_be_visible()
    # ...whose time has come (the clock moves on): the person did not come.
    rdv = Entretien.objects.get(accompagnement=mesure, statut="PLANIFIE")
    Entretien.objects.filter(pk=rdv.pk).update(date_heure=timezone.now() - datetime.timedelta(hours=1))
    page.get_by_role("link", name="Rendez-vous").first.click()
    verifier_accessibilite(page)
    page.get_by_role("link", name="Clôturer le rendez-vous de Élodie Lefèvre").click()
    page.get_by_label("Issue du rendez-vous").select_option("ABSENT_NON_EXCUSE")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Rendez-vous clôturé.")).to_be_visible()
    rdv.refresh_from_db()
    assert rdv.statut == "ABSENT_NON_EXCUSE"

    # A workshop with six people.
    page.get_by_role("link", name="Ateliers").first.click()
    page.get_by_role("link", name="Nouvel atelier").click()
    page.get_by_label("Thème").fill("Gérer son budget")
    # Recorded once held (a workshop in the future is refused): an hour ago, whatever the time of day.
    une_heure_avant = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_label("Date et heure").fill(une_heure_avant.strftime("%Y-%m-%dT%H:%M"))
    for personne in [mesure.resident, *autres]:
        page.get_by_label(str(personne), exact=True).check()
    verifier_accessibilite(page)
    page.get_by_role("button", name="Enregistrer l'atelier").click()
    expect(page.get_by_role("heading", name="Gérer son budget")).to_be_visible()
    expect(page.get_by_text("Participants (6)")).to_be_visible()
    verifier_accessibilite(page)
    assert ActionCollective.objects.get().participations.count() == 6


def test_le_brouillon_d_une_longue_note_survit_a_une_session_expiree(page, live_server):
    referent = ReferentFactory(structures=[StructureFactory()])
    mesure = AccompagnementFactory(referent=referent, resident__nom="Bernard", resident__prenom="Lucie")
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
    note = "Longue note : point complet sur le logement, la santé et les démarches. " * 5
    formulaire = page.locator("#form-entretien")
    # The kind decides whether it was a physical meeting: it must come back. (A confidential note is never
    # kept in the browser: tests/e2e/test_saisie_entretien.py.)
    formulaire.get_by_label("Type de contact").select_option("VAD")
    formulaire.get_by_label("Présence").select_option("ABSENT_EXCUSE")
    formulaire.get_by_label("Notes").fill(note)
    page.context.clear_cookies(name="sessionid")  # the session expired while the référent was writing
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    # htmx gets HX-Redirect: the browser shows the login page, not the login page inside the form.
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=%2Fpersonnes%2F{mesure.resident_id}%2F")
    assert not Entretien.objects.exists()
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
    formulaire = page.locator("#form-entretien")
    expect(formulaire.get_by_label("Notes")).to_have_value(note)
    expect(formulaire.get_by_label("Type de contact")).to_have_value("VAD")
    expect(formulaire.get_by_label("Présence")).to_have_value("ABSENT_EXCUSE")
    expect(page.get_by_role("status")).to_contain_text("restauré")
    # « Effacer ce brouillon » puts every restored field back as the server rendered it.
    page.get_by_role("button", name="Effacer ce brouillon").click()
    expect(formulaire.get_by_label("Notes")).to_have_value("")
    expect(formulaire.get_by_label("Type de contact")).to_have_value("BUREAU")
    expect(formulaire.get_by_label("Présence")).to_have_value("HONORE")


def test_les_sections_du_dossier_arrivent_apres_la_page(page, live_server, navigateur):
    """The dossier is shown without waiting for its sections below the measures: htmx asks for them
    (one request) and they appear in place; without script, a link shows the same sections in the page."""
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    mesure = AccompagnementFactory(
        referent=referent,
        resident__nom="Marchal",
        resident__prenom="Inès",
        date_debut=timezone.localdate() - datetime.timedelta(days=60),
    )
    connecter(page, live_server, referent)
    demandes = []
    page.on("request", lambda requete: demandes.append(requete.url))
    page.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
    expect(page.get_by_role("heading", name="Inès MARCHAL")).to_be_visible()
    echeances = page.get_by_role("heading", name="Échéances à traiter")
    expect(echeances).to_be_visible()
    expect(page.locator("#echeances-dossier")).to_contain_text("En retard")
    expect(page.get_by_role("heading", name="Contrats")).to_be_visible()
    assert [u for u in demandes if "partie=sections" in u] == [
        f"{live_server.url}/personnes/{mesure.resident_id}/suivi/?partie=sections"
    ]
    verifier_accessibilite(page)

    # Without script: the link renders the same sections in the page.
    sans_script = navigateur.new_context(
        locale="fr-FR", java_script_enabled=False, base_url=live_server.url, storage_state=page.context.storage_state()
    )
    try:
        autre = sans_script.new_page()
        autre.goto(f"{live_server.url}/personnes/{mesure.resident_id}/")
        expect(autre.get_by_role("heading", name="Inès MARCHAL")).to_be_visible()
        expect(autre.get_by_role("heading", name="Échéances à traiter")).to_have_count(0)
        autre.get_by_role(
            "link", name="Afficher l'orientation, les échéances à traiter, les contrats et les décisions"
        ).click()
        expect(autre.get_by_role("heading", name="Échéances à traiter")).to_be_visible()
        expect(autre.locator("#echeances-dossier")).to_contain_text("En retard")
    finally:
        sans_script.close()
