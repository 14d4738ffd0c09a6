"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Every test here runs on a transactional database (the live server thread reads what the test wrote)
with serialized rollback, so the référentiel loaded by the migrations is there for each journey and
is restored for the next one. pytest-django runs these tests after the others.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from demo.clients import appareil_totp
from tests.accounts.factories import MOT_DE_PASSE
from tests.conftest import code_totp

# Playwright's sync API runs an asyncio event loop in the test thread: Django would refuse ORM calls
# made from the test (factories) with SynchronousOnlyOperation. Nothing here is really async.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DOSSIER_E2E = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if DOSSIER_E2E in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def _contenu_serialise(django_db_setup, django_db_blocker):
    """Once Playwright runs in the test thread, Django hands the tests a new connection object that
    lacks the `_test_serialized_contents` captured when the test database was created, and serialized
    rollback then silently restores nothing (the référentiel is empty from the second journey on).
    Keep the contents on the connection class, where every connection object of the alias sees it,
    and close the connections of both generations at the end."""
    from django.db import connections

    originales = connections.all()
    classes = []
    for alias in connections:
        connexion = connections[alias]
        contenu = getattr(connexion, "_test_serialized_contents", None)
        if contenu is not None:
            type(connexion)._test_serialized_contents = contenu
            classes.append(type(connexion))
    yield
    for classe in classes:
        del classe._test_serialized_contents
    # Close both generations of connection objects, or the test database cannot be dropped.
    for connexion in originales:
        connexion.close()
    # A request the browser dropped mid-way (a download, a closed context) can leave a live-server
    # thread's connection open: end those sessions too.
    with django_db_blocker.unblock():
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
    connections.close_all()


@pytest.fixture(scope="session")
def navigateur(_contenu_serialise):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGUMENTS_CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server):
    """A fresh browser context (no cookies, no storage) for each test, in French, on French time (the
    server's TIME_ZONE: the browser's « now » is what app.js puts in a date field), laptop-sized.
    A test that provokes a failed request removes the errors it expects with `erreurs_attendues`."""
    context = navigateur.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1366, "height": 800},
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    erreurs_console = []

    def sur_console(message):
        # A failed load is reported below with its url; an error page itself (404 test) is fine.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            erreurs_console.append(message.text)

    def sur_reponse(reponse):
        if reponse.status >= 400 and reponse.request.resource_type != "document":
            erreurs_console.append(f"{reponse.status} {reponse.url}")

    # Requests the browser has sent and not yet received in full: the test database is flushed (TRUNCATE)
    # after the test, and a request still running in the live server then deadlocks with it.
    en_cours = set()
    page.on("request", lambda requete: en_cours.add(requete))
    page.on("requestfinished", lambda requete: en_cours.discard(requete))
    page.on("requestfailed", lambda requete: en_cours.discard(requete))
    page.on("console", sur_console)
    page.on("pageerror", lambda e: erreurs_console.append(str(e)))
    page.on("response", sur_reponse)
    page.erreurs_console = erreurs_console
    yield page
    for _ in range(100):  # 5 s at most; a polling page still goes quiet between two polls
        if not en_cours:
            break
        page.wait_for_timeout(50)
    context.close()
    # A CSP violation, a JavaScript error or a missing static file: a journey must have none.
    assert erreurs_console == [], erreurs_console


def erreurs_attendues(page, *motifs):
    """Take out of the page's error list one entry containing each of `motifs` (the failed request
    and what htmx logged about it), failing if one is missing: what is left is still an error."""
    for motif in motifs:
        trouvees = [e for e in page.erreurs_console if motif in e]
        assert trouvees, f"{motif!r} absent de {page.erreurs_console}"
        page.erreurs_console.remove(trouvees[0])


def connecter(page, live_server, user, password=MOT_DE_PASSE):
    """Log in through the real two steps (password, then the TOTP code the user's app would show) and
    wait for the home page."""
    appareil = appareil_totp(user)
    # A code is accepted once per 30-second step: a second login in the same step (a journey that
    # logs in again) would be refused as a replay, so the test forgets the last step used.
    type(appareil).objects.filter(pk=appareil.pk).update(last_t=-1, throttling_failure_count=0)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Code de connexion")).to_be_visible()
    page.get_by_label("Code").fill(code_totp(appareil))
    page.get_by_role("button", name="Valider le code").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('accueil')}")


def verifier_accessibilite(page, regles_ignorees=()):
    """Run axe-core on the current page; fail on any moderate, serious or critical violation, listing them.

    The script is evaluated through the DevTools protocol (page.evaluate), which the page's CSP does
    not govern, so the app's strict CSP stays as it is in production."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    options = {"rules": {regle: {"enabled": False} for regle in regles_ignorees}}
    resultat = page.evaluate("async (options) => await window.axe.run(document, options)", options)
    graves = [v for v in resultat["violations"] if v["impact"] in ("moderate", "serious", "critical")]
    details = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n"
        + "\n".join(f"    {n['target']} {n['failureSummary']}" for n in v["nodes"][:5])
        for v in graves
    )
    assert not graves, f"Accessibilité ({page.url}) :\n{details}"
    return resultat
