"""The shell in a real browser: login form, home page, keyboard, accessibility, logout."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.factories import ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite

pytestmark = pytest.mark.e2e


def test_parcours_d_un_referent(page, live_server):
    referent = ReferentFactory(first_name="Camille", last_name="Martin")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    verifier_accessibilite(page)

    # The first Tab lands on the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    lien = page.get_by_role("link", name="Aller au contenu")
    expect(lien).to_be_focused()
    expect(lien).to_be_visible()

    connecter(page, live_server, referent)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    expect(page.get_by_text("Vous suivez votre file active")).to_be_visible()
    banniere = page.get_by_role("banner")
    expect(banniere.get_by_text("Camille Martin")).to_be_visible()
    expect(banniere.get_by_text("référent", exact=True)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation.get_by_role("link", name="Accueil")).to_have_attribute("aria-current", "page")
    verifier_accessibilite(page)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/#contenu")
    expect(page.locator("main#contenu")).to_be_focused()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}")
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e.")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}?next=/")


def test_mauvais_mot_de_passe(page, live_server):
    referent = ReferentFactory()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Identifiant").fill(referent.username)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    verifier_accessibilite(page)


def test_page_introuvable_accessible(page, live_server):
    connecter(page, live_server, ReferentFactory())
    reponse = page.goto(f"{live_server.url}/personnes/999999999/inexistante/")
    assert reponse.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    verifier_accessibilite(page)


# ---- Generic behaviours of static/js/app.js, on a page served only to these tests -------------

PAGE_ESSAI = """{% extends "base.html" %}
{% block title %}Essai{% endblock %}
{% block content %}
<h1>Note d’essai</h1>
<form method="post" data-brouillon="essai-note" novalidate>
  {% csrf_token %}
  {% if erreur %}<div class="alert alert-danger" role="alert" data-erreurs-formulaire>Erreur.</div>{% endif %}
  <label class="form-label" for="notes">Notes</label>
  <textarea class="form-control" id="notes" name="notes">{{ notes }}</textarea>
  <button type="submit" class="btn btn-primary mt-2">Enregistrer</button>
</form>
<form method="post" action="{% url 'essai_lent' %}" data-confirm="Supprimer vraiment ?" class="mt-4">
  {% csrf_token %}
  <button type="submit" class="btn btn-danger">Supprimer</button>
</form>
{% endblock %}"""


def _rendre(request, source, **contexte):
    from django.http import HttpResponse
    from django.template import engines

    return HttpResponse(engines["django"].from_string(source).render(contexte, request))


def vue_essai(request):
    from django.shortcuts import redirect

    if request.method == "POST":
        notes = request.POST.get("notes", "")
        if "erreur" in notes:
            return _rendre(request, PAGE_ESSAI, notes=notes, erreur=True)
        return redirect("accueil")
    return _rendre(request, PAGE_ESSAI, notes="")


def vue_lente(request):
    import time

    from django.shortcuts import redirect

    time.sleep(1.5)
    return redirect("accueil")


def _urlpatterns():
    from django.urls import path

    from config.urls import urlpatterns as application

    return [
        path("essai/note/", vue_essai, name="essai"),
        path("essai/lent/", vue_lente, name="essai_lent"),
        *application,
    ]


urlpatterns = _urlpatterns()


def brouillon(page, user):
    return page.evaluate(f"() => localStorage.getItem('brouillon:{user.pk}:essai-note')")


@pytest.mark.urls("tests.e2e.test_shell")
def test_un_brouillon_survit_a_une_session_expiree(page, live_server):
    referent = ReferentFactory()
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/essai/note/")
    page.get_by_label("Notes").fill("Entretien au bureau : la personne a apporté ses justificatifs.")
    assert "justificatifs" in brouillon(page, referent)
    expect(page.get_by_text("Modifications non enregistrées")).to_be_visible()

    # The session and the CSRF cookie are gone (the page stayed open all afternoon).
    page.context.clear_cookies()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le formulaire n’a pas pu être envoyé")
    expect(page.get_by_text("Ce que vous aviez saisi est conservé dans votre navigateur")).to_be_visible()
    verifier_accessibilite(page)

    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/essai/note/")
    expect(page.get_by_label("Notes")).to_have_value("Entretien au bureau : la personne a apporté ses justificatifs.")
    expect(page.get_by_role("status")).to_contain_text("restauré")

    # A validation error keeps the draft; a successful submission forgets it.
    page.get_by_label("Notes").fill("erreur volontaire")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_have_text("Erreur.")
    assert "erreur volontaire" in brouillon(page, referent)
    page.get_by_label("Notes").fill("Note complète.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert brouillon(page, referent) is None


@pytest.mark.urls("tests.e2e.test_shell")
def test_confirmation_et_double_envoi(page, live_server):
    connecter(page, live_server, ReferentFactory())
    page.goto(f"{live_server.url}/essai/note/")
    bouton = page.get_by_role("button", name="Supprimer")

    page.once("dialog", lambda dialog: dialog.dismiss())
    bouton.click()
    expect(page).to_have_url(f"{live_server.url}/essai/note/")
    expect(bouton).to_be_enabled()

    # Clicked from the page so that the test can look while the slow answer is on its way
    # (Playwright's click would wait for the navigation).
    page.once("dialog", lambda dialog: dialog.accept())
    desactive = page.evaluate(
        """async () => {
            const bouton = document.querySelector("form[data-confirm] button");
            bouton.click();
            await new Promise((resolve) => setTimeout(resolve, 100));
            const second = bouton.form.dispatchEvent(new Event("submit", {bubbles: true, cancelable: true}));
            return [bouton.disabled, second];
        }"""
    )
    assert desactive == [True, False]  # disabled, and a second submit is refused
    expect(page).to_have_url(f"{live_server.url}/")


def _brouillons(page):
    return page.evaluate("() => Object.keys(localStorage).filter((cle) => cle.startsWith('brouillon:'))")


@pytest.mark.urls("tests.e2e.test_shell")
def test_se_deconnecter_efface_les_brouillons(page, live_server):
    referent = ReferentFactory()
    connecter(page, live_server, referent)
    page.goto(f"{live_server.url}/essai/note/")
    page.get_by_label("Notes").fill("Note sur la situation de la personne.")
    assert _brouillons(page) == [f"brouillon:{referent.pk}:essai-note"]
    # Whoever's they are (a draft left by an older version of the page, another tab's user): all go.
    page.evaluate(
        """() => localStorage.setItem("brouillon:0:ailleurs", JSON.stringify({enregistre: Date.now(), valeurs: {}}))"""
    )
    page.once("dialog", lambda dialog: dialog.accept())  # « Modifications non enregistrées »: leave anyway
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e.")
    assert _brouillons(page) == []


@pytest.mark.urls("tests.e2e.test_shell")
def test_un_autre_utilisateur_ne_trouve_pas_les_brouillons_du_precedent(page, live_server):
    premier, second = ReferentFactory(), ReferentFactory()
    connecter(page, live_server, premier)
    page.goto(f"{live_server.url}/essai/note/")
    page.get_by_label("Notes").fill("Note sur la situation de la personne.")
    # The first user's session expires (the computer is left as it is); the next one logs in.
    page.context.clear_cookies()
    page.once("dialog", lambda dialog: dialog.accept())
    connecter(page, live_server, second)
    assert _brouillons(page) == []
