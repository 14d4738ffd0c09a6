"""Minutes of a committee (procès-verbal) as an A4 PDF (WeasyPrint)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from .pack import chiffres

FEUILLE = Path(settings.BASE_DIR) / "static" / "pilotage" / "pdf.css"


def compte_rendu_pdf(comite, lignes, avenants=()):
    html = render_to_string(
        "pilotage/pdf/compte_rendu.html",
        {"comite": comite, "lignes": lignes, "chiffres": chiffres(comite, lignes), "avenants": avenants},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=str(FEUILLE))])
