"""Checking an uploaded PDF (a signed contract's scan, a note sociale) by its content, not its name."""

import io

from django.core.exceptions import ValidationError
from pypdf import PdfReader


def lire_pdf(fichier, *, taille_max, trop_gros, pas_un_pdf, illisible):
    """The file's bytes if it is a readable PDF of at most `taille_max` bytes with at least one page;
    otherwise a ValidationError with the caller's French message for that case."""
    if fichier.size > taille_max:
        raise ValidationError(trop_gros)
    fichier.seek(0)
    donnees = fichier.read()
    fichier.seek(0)
    if not donnees.startswith(b"%PDF-"):
        raise ValidationError(pas_un_pdf)
    try:
        pages = len(PdfReader(io.BytesIO(donnees)).pages)
    except Exception:  # a malformed PDF makes pypdf raise almost anything (KeyError, RecursionError…)
        pages = 0
    if pages == 0:
        raise ValidationError(illisible)
    return donnees
