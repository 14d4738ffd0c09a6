"""The exit summary (synthèse de sortie) as an A4 PDF in French (WeasyPrint). It holds what the person
may read (domain.md §9): no confidential note, only the facts of the stay and of the hand-over."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

# Print styles, passed to WeasyPrint (templates carry no inline style: CSP house rule).
FEUILLE = """
  @page { size: A4; margin: 2cm 1.8cm; @bottom-right { content: "page " counter(page) " / " counter(pages); font-size: 8pt; } }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; }
  h1 { font-size: 16pt; margin: 0 0 .3cm; } h2 { font-size: 12pt; margin: .6cm 0 .2cm; border-bottom: 1px solid #999; }
  table { width: 100%; border-collapse: collapse; } td, th { text-align: left; vertical-align: top; padding: 2pt 4pt; border-bottom: 1px solid #ddd; }
  .petit { font-size: 8pt; color: #444; }
"""


def synthese_sortie_pdf(mesure):
    from .models import Candidature

    contexte = {
        "mesure": mesure,
        "candidature": Candidature.objects.filter(accompagnement=mesure).first(),
        "objectifs": mesure.objectifs.all(),
        "syntheses": mesure.syntheses.filter(tenue_le__isnull=False).order_by("tenue_le"),
        "fin": getattr(mesure, "fin_prise_en_charge", None),
        "relais": getattr(mesure, "passage_relais", None),
        "edite_le": timezone.localdate(),
    }
    html = render_to_string("admissions/pdf/synthese_sortie.html", contexte)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(string=FEUILLE)])
