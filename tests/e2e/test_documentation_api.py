"""The API's documentation page (/api/v1/documentation/) in Chromium, under the application's strict CSP:
Swagger UI renders the schema and an operation opens, with nothing in the console: no CSP violation (each
one is also caught by a `securitypolicyviolation` listener set before the page's first script), no file
missing (the browser's own requests, such as the icon, included)."""

from django.urls import reverse
from playwright.sync_api import expect

ECOUTE_CSP = """
window.violationsCSP = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violationsCSP.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_la_documentation_s_affiche_sans_erreur(page, live_server):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(ECOUTE_CSP)
    page.goto(live_server.url + reverse("api:documentation"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accompagnement social")
    expect(page.get_by_text("Personnes accompagnées").first).to_be_visible()
    page.get_by_text("Une personne", exact=True).first.click()
    expect(page.get_by_text("If-Modified-Since").first).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("Jeton d'organisation créé par l'administrateur.")).to_be_visible()
    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.violationsCSP") == []
    # « Failed to load resource » (an icon asked for by the browser itself) is not in the fixture's list.
    assert [m for m in console if m.startswith("error")] == []
