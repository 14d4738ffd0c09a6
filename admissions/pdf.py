"""The exit summary (synthèse de sortie) as an A4 PDF in French (WeasyPrint). It holds what the person
may read (domain.md §9): no confidential note, only the facts of the stay and of the hand-over."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML


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
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
