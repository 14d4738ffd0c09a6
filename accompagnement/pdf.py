"""The diagnostic global partagé as an A4 PDF in French, to hand to the person or to file with her first
contract. It holds only what the person may read (she took part in writing it)."""

from django.utils import timezone

from config.pdf import pdf_de


def diagnostic_pdf(diagnostic):
    contexte = {"diagnostic": diagnostic, "mesure": diagnostic.accompagnement, "edite_le": timezone.localdate()}
    return pdf_de("accompagnement/pdf/diagnostic.html", contexte, style="th { width: 30%; }")
