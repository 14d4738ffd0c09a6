"""The OpenAPI 3 schema is generated from the code; docs/api/openapi.yaml is its checked-in copy, so that a
change of the API (a breaking one above all) shows in the diff of a commit.

When this test fails after a deliberate change of the API, regenerate the file and commit it:
    .venv/bin/python -m config.services exec -- .venv/bin/python manage.py spectacular \\
        --validate --fail-on-warn --file docs/api/openapi.yaml"""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

FICHIER = Path(__file__).resolve().parent.parent.parent / "docs" / "api" / "openapi.yaml"


def test_le_schema_publie_est_celui_du_code():
    genere = OpenApiYamlRenderer().render(SchemaGenerator().get_schema(request=None, public=True)).decode()
    assert genere == FICHIER.read_text(encoding="utf-8"), (
        "Le schéma OpenAPI a changé : régénérez docs/api/openapi.yaml (commande en tête de ce fichier de test) "
        "et vérifiez que le changement ne casse pas les clients."
    )


def test_le_schema_est_servi(client):
    reponse = client.get(reverse("api:schema"))
    assert reponse.status_code == 200
    assert b"/api/v1/personnes/" in reponse.content


def test_la_documentation_sans_cdn_ni_script_en_ligne(client):
    reponse = client.get(reverse("api:documentation"))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "default-src 'self'" in reponse["Content-Security-Policy"]
    assert "<style" not in html
    assert not re.search(r"<script>", html), "script en ligne : refusé par la CSP"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    script = client.get(reverse("api:documentation"), {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
