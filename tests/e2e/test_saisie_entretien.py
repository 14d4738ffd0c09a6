"""The entretien form of the dossier when things go wrong or time passes: a refused or lost request
says so in French (htmx swaps nothing on an error), and a « Date et heure » left at its default is
the time the form is sent, not the time the dossier was opened, on the server's clock in Paris time
whatever the browser's clock and time zone."""

import datetime
import re
import secrets
import string

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Entretien
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, erreurs_attendues, verifier_accessibilite
from tests.referentiel.factories import StructureFactory

MESSAGE_SESSION = "Votre session a changé : rechargez la page (votre saisie est conservée) puis enregistrez de nouveau."
MESSAGE_RESEAU = (
    "Connexion perdue : rien n'a été enregistré. Vérifiez le réseau et réessayez ; votre saisie est conservée."
)
NOTE = "Appel de la CAF : dossier complet, versement le 5."


@pytest.fixture
def mesure():
    referent = ReferentFactory(structures=[StructureFactory()])
    return AccompagnementFactory(referent=referent, resident__nom="Bernard", resident__prenom="Lucie")


def enregistrer(formulaire):
    """Send the form and wait for the blank form that follows a save (the success message alone may
    still be the previous save's)."""
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.get_by_label("Notes")).to_have_value("")
    expect(formulaire).to_contain_text("Entretien enregistré.")


def ouvrir_dossier(page, live_server, mesure):
    connecter(page, live_server, mesure.referent)
    page.goto(f"{live_server.url}{reverse('residents:dossier', args=[mesure.resident_id])}")
    return page.locator("#form-entretien")


def test_un_refus_csrf_est_annonce_et_la_saisie_reste(page, live_server, mesure):
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Type de contact").select_option("TELEPHONE")
    formulaire.get_by_label("Notes").fill(NOTE)
    # Logged in again in another tab: Django rotated the CSRF secret, this page still has the old token.
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    page.context.add_cookies([{"name": "csrftoken", "value": secret, "url": live_server.url}])
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()

    alerte = formulaire.get_by_role("alert")
    expect(alerte).to_have_text(MESSAGE_SESSION)
    expect(formulaire.get_by_label("Notes")).to_have_value(NOTE)
    expect(formulaire.get_by_role("button", name="Enregistrer l'entretien")).to_be_enabled()
    assert not Entretien.objects.exists()
    erreurs_attendues(page, "403 ", "Response Status Error Code 403")
    verifier_accessibilite(page)

    # Reloaded as the message says: the draft comes back, the next save works and the alert is gone.
    page.reload()
    expect(formulaire.get_by_label("Notes")).to_have_value(NOTE)
    expect(formulaire.get_by_label("Type de contact")).to_have_value("TELEPHONE")
    enregistrer(formulaire)
    expect(formulaire.get_by_role("alert")).to_have_count(0)
    assert Entretien.objects.get().notes == NOTE


def test_un_droit_retire_n_est_pas_pris_pour_une_session_changee(page, live_server, mesure):
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Type de contact").select_option("TELEPHONE")
    formulaire.get_by_label("Notes").fill(NOTE)
    # A 403 without the CSRF view's X-Refus header: the server refuses a right (acces_refuse), not the page.
    adresse = f"**{reverse('accompagnement:entretien_nouveau', args=[mesure.pk])}"
    page.route(adresse, lambda route: route.fulfill(status=403, body="Accès refusé"))
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.get_by_role("alert")).to_have_text(
        "Enregistrement refusé : vos droits sur ce dossier ne le permettent pas (ou plus). Rechargez la page."
    )
    expect(formulaire.get_by_label("Notes")).to_have_value(NOTE)
    erreurs_attendues(page, "403 ", "Response Status Error Code 403")
    page.unroute(adresse)
    assert not Entretien.objects.exists()


def test_une_connexion_perdue_puis_une_erreur_serveur_sont_annoncees(page, live_server, mesure):
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Type de contact").select_option("TELEPHONE")
    formulaire.get_by_label("Notes").fill(NOTE)
    adresse = f"**{reverse('accompagnement:entretien_nouveau', args=[mesure.pk])}"
    page.route(adresse, lambda route: route.abort("internetdisconnected"))
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.get_by_role("alert")).to_have_text(MESSAGE_RESEAU)
    expect(formulaire.get_by_label("Notes")).to_have_value(NOTE)
    erreurs_attendues(page, "htmx:afterRequest", "htmx:sendError")

    # The network is back but the server fails: the status is in the message, still one alert.
    page.unroute(adresse)
    page.route(adresse, lambda route: route.fulfill(status=500, body="Erreur"))
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.get_by_role("alert")).to_have_text(
        "Le serveur n'a pas pu enregistrer (erreur 500). Votre saisie est conservée ; réessayez ou rechargez la page."
    )
    expect(formulaire.get_by_role("alert")).to_have_count(1)
    erreurs_attendues(page, "500 ", "Response Status Error Code 500")
    assert not Entretien.objects.exists()

    # Everything works again: saved, and the message is gone with the failure.
    page.unroute(adresse)
    enregistrer(formulaire)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert Entretien.objects.get().notes == NOTE


def test_une_partie_de_la_page_qui_ne_se_recharge_pas_le_dit_en_haut(page, live_server, mesure):
    """A request without a form (the next page of the timeline) that fails is announced at the top of
    the content, in words for a reading, and goes away when that part loads again. A save needs no
    such request: its answer carries the timeline, the suivi table and the échéances (out of band)."""
    for jour in range(1, 22):  # one more than a page of the timeline
        EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(days=jour))
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Notes").fill("Premier appel.")
    enregistrer(formulaire)
    expect(page.locator("#entretiens")).to_contain_text("Premier appel.")

    chronologie = f"**{reverse('residents:entretiens', args=[mesure.resident_id])}?page=2"
    page.route(chronologie, lambda route: route.fulfill(status=500, body="Erreur"))
    page.locator("#entretiens").get_by_role("link", name="Plus anciens").click()
    alerte = page.locator("#contenu").get_by_role("alert")
    expect(alerte).to_have_text("Le serveur n'a pas pu répondre (erreur 500). Réessayez ou rechargez la page.")
    expect(page.locator("#echec-requete")).to_have_count(1)
    expect(formulaire.get_by_role("alert")).to_have_count(0)
    erreurs_attendues(page, "500 ", "Response Status Error Code 500")
    verifier_accessibilite(page)

    page.unroute(chronologie)
    page.locator("#entretiens").get_by_role("link", name="Plus anciens").click()
    expect(page.locator("#entretiens")).to_contain_text("Page 2 sur 2")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_une_erreur_de_validation_s_affiche_comme_avant(page, live_server, mesure):
    """A validation error is a 200 with the form re-rendered: swapped, no « failure » message."""
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Durée (minutes)").fill("0")
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.locator("[data-erreurs-formulaire]")).to_contain_text("Durée (minutes)")
    expect(formulaire.locator("[data-echec-requete]")).to_have_count(0)


def assert_a_la_minute(enregistree, attendue):
    """The browser's time to the minute: the minute it was, or the next one if it turned meanwhile."""
    debut = attendue.replace(second=0, microsecond=0)
    assert debut <= enregistree <= debut + datetime.timedelta(minutes=2), (enregistree, attendue)


@pytest.fixture
def page_utc(navigateur, live_server):
    """A browser set to UTC whose clock runs five hours behind: neither may show in a date saved."""
    context = navigateur.new_context(locale="fr-FR", timezone_id="UTC", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.clock.install(time=timezone.now() - datetime.timedelta(hours=5))
    yield page
    context.close()


def _rendu_il_y_a(champ, duree):
    """The field as the server would have rendered it `duree` ago (a dossier opened in the morning and
    left open): its value and its server instant, put in as a new field, as htmx would bring one."""
    rendu = timezone.now() - duree
    champ.evaluate(
        """(champ, [valeur, horloge]) => {
            const nouveau = champ.cloneNode(true);
            nouveau.defaultValue = valeur;
            nouveau.setAttribute("data-maintenant", valeur);
            nouveau.setAttribute("data-horloge", String(horloge));
            champ.replaceWith(nouveau);
            document.dispatchEvent(new Event("htmx:afterSettle"));
        }""",
        [timezone.localtime(rendu).strftime("%Y-%m-%dT%H:%M"), int(rendu.timestamp() * 1000)],
    )


def test_la_date_par_defaut_est_l_heure_du_serveur_a_l_envoi(page_utc, live_server, mesure):
    page = page_utc
    maintenant = timezone.now()
    formulaire = ouvrir_dossier(page, live_server, mesure)
    date_heure = formulaire.get_by_label("Date et heure")
    # Shown in Paris time, as the server rendered it, though the browser is on UTC.
    expect(date_heure).to_have_value(re.compile(timezone.localtime(maintenant).strftime("%Y-%m-%dT%H")))

    # Rendered three hours ago, sent one hour after: two hours ago, on the server's clock and in Paris.
    _rendu_il_y_a(date_heure, datetime.timedelta(hours=3))
    page.clock.set_system_time(maintenant - datetime.timedelta(hours=4))
    formulaire.get_by_label("Type de contact").select_option("TELEPHONE")
    formulaire.get_by_label("Notes").fill("Premier appel.")
    enregistrer(formulaire)
    assert_a_la_minute(
        Entretien.objects.get(notes="Premier appel.").date_heure, maintenant - datetime.timedelta(hours=2)
    )

    # A validation error in between: the field comes back from the server, and its date is still ours.
    formulaire.get_by_label("Notes").fill("Deuxième appel.")
    formulaire.get_by_label("Durée (minutes)").fill("0")
    formulaire.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(formulaire.locator("[data-erreurs-formulaire]")).to_be_visible()
    formulaire.get_by_label("Durée (minutes)").fill("15")
    enregistrer(formulaire)
    assert_a_la_minute(Entretien.objects.get(notes="Deuxième appel.").date_heure, timezone.now())

    # A date the user typed is theirs, however long the form waits.
    hier = timezone.localtime(maintenant - datetime.timedelta(days=1)).replace(hour=10, minute=30)
    date_heure.fill(hier.strftime("%Y-%m-%dT%H:%M"))
    formulaire.get_by_label("Notes").fill("Visite d'hier, notée après coup.")
    page.clock.set_system_time(maintenant - datetime.timedelta(hours=3))
    enregistrer(formulaire)
    saisie = Entretien.objects.get(notes__startswith="Visite d'hier").date_heure
    assert timezone.localtime(saisie).replace(second=0, microsecond=0) == hier.replace(second=0, microsecond=0)


def _stockage(page):
    """Everything this origin keeps in localStorage, as one text."""
    return page.evaluate("() => JSON.stringify(Object.entries(localStorage))")


def test_une_note_confidentielle_n_est_jamais_gardee_dans_le_navigateur(page, live_server, mesure):
    formulaire = ouvrir_dossier(page, live_server, mesure)
    formulaire.get_by_label("Notes").fill(NOTE)
    assert "versement le 5" in _stockage(page)  # an ordinary note: the draft keeps it
    formulaire.get_by_label("Note confidentielle").check()
    assert "versement le 5" not in _stockage(page)
    formulaire.get_by_label("Notes").fill(NOTE + " Suite confidentielle.")
    assert "versement le 5" not in _stockage(page) and "Suite confidentielle" not in _stockage(page)
    # The draft itself stays (the other fields, the ticked box): only the note is left out.
    assert f"brouillon:{mesure.referent.pk}:entretien-{mesure.pk}" in _stockage(page)
