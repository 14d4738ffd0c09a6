"""The diagnostic global partagé as an A4 PDF in French (WeasyPrint), to hand to the person or to file
with her first contract. It holds only what the person may read (she took part in writing it)."""

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
  th { width: 30%; } .petit { font-size: 8pt; color: #444; }
"""


def diagnostic_pdf(diagnostic):
    contexte = {"diagnostic": diagnostic, "mesure": diagnostic.accompagnement, "edite_le": timezone.localdate()}
    html = render_to_string("accompagnement/pdf/diagnostic.html", contexte)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(string=FEUILLE)])
