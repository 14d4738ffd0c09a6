"""Minutes of a committee as an A4 PDF (WeasyPrint)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

FEUILLE = Path(settings.BASE_DIR) / "static" / "pilotage" / "pdf.css"


def compte_rendu_pdf(comite, lignes):
    html = render_to_string("pilotage/pdf/compte_rendu.html", {"comite": comite, "lignes": lignes})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=str(FEUILLE))])
