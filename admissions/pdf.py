"""The exit summary (synthèse de sortie) as an A4 PDF in French (config.pdf). It holds what the person
may read (domain.md §9): no confidential note, only the facts of the stay and of the hand-over."""

from django.utils import timezone

from config.pdf import pdf_de


def synthese_sortie_pdf(mesure):
    from .models import Candidature

    contexte = {
        "mesure": mesure,
        "candidature": Candidature.objects.filter(accompagnement=mesure).first(),
        "objectifs": mesure.objectifs.all(),
        "syntheses": mesure.syntheses.filter(tenue_le__isnull=False).order_by("tenue_le"),
        "fin": getattr(mesure, "fin_prise_en_charge", None),
        "relais": getattr(mesure, "passage_relais", None),
        "conditions_sortie": mesure.conditions_remplies.select_related("condition").order_by("condition__ordre"),
        "edite_le": timezone.localdate(),
    }
    return pdf_de("admissions/pdf/synthese_sortie.html", contexte)
