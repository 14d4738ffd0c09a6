"""The letter telling the person of the intended sanction and of her right to present observations
(WeasyPrint, like the contracts' PDFs). Rendered on demand: it reads only recorded facts (the report,
the day she was informed, the référentiel's délai already stored as `observations_limite`)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from contrats.pdf import lieu_de

FEUILLE_DE_STYLE = Path(settings.BASE_DIR) / "static" / "contrats" / "pdf.css"


def pdf(signalement):
    acc = signalement.accompagnement
    html = render_to_string(
        "echeances/pdf/courrier_signalement.html",
        {"s": signalement, "resident": acc.resident, "structure": acc.structure, "lieu": lieu_de(acc.structure)},
    )
    return HTML(string=html, base_url=str(settings.MEDIA_ROOT)).write_pdf(
        stylesheets=[CSS(filename=str(FEUILLE_DE_STYLE))]
    )
