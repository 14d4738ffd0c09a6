"""A document as an A4 PDF in French (WeasyPrint) from an HTML template: the exit summary, the diagnostic,
the orientation letter. One print style for them (templates carry no inline style: CSP house rule); a
document adds its own few rules with `style`."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

FEUILLE_A4 = """
  @page { size: A4; margin: 2cm 1.8cm; @bottom-right { content: "page " counter(page) " / " counter(pages); font-size: 8pt; } }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; }
  h1 { font-size: 16pt; margin: 0 0 .3cm; } h2 { font-size: 12pt; margin: .6cm 0 .2cm; border-bottom: 1px solid #999; }
  table { width: 100%; border-collapse: collapse; } td, th { text-align: left; vertical-align: top; padding: 2pt 4pt; border-bottom: 1px solid #ddd; }
  .petit { font-size: 8pt; color: #444; } .texte { white-space: pre-wrap; }
"""


def pdf_de(gabarit, contexte, *, style=""):
    html = render_to_string(gabarit, contexte)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(string=FEUILLE_A4 + style)])
