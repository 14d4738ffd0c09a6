"""Checking a report's supporting document by its content, not its name: a readable PDF
(accompagnement.fichiers.lire_pdf), or a PNG / JPEG image that Pillow can open and verify; at most
settings.SIGNALEMENT_PIECE_TAILLE_MAX bytes."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from accompagnement.fichiers import lire_pdf

# Magic bytes → the type stored with the piece (and served back).
_SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
_FORMATS_PILLOW = {"image/png": "PNG", "image/jpeg": "JPEG"}


def _mo(taille):
    return f"{taille / (1024 * 1024):.0f} Mo"


def verifier(fichier):
    """The file's MIME type if it is an accepted document; otherwise a French ValidationError."""
    taille_max = settings.SIGNALEMENT_PIECE_TAILLE_MAX
    trop_gros = {"fichier": f"La pièce dépasse la taille autorisée ({_mo(taille_max)})."}
    if fichier.size > taille_max:
        raise ValidationError(trop_gros)
    fichier.seek(0)
    debut = fichier.read(16)
    fichier.seek(0)
    type_mime = next((t for magie, t in _SIGNATURES.items() if debut.startswith(magie)), None)
    if type_mime is None:
        raise ValidationError({"fichier": "La pièce doit être un PDF ou une image PNG ou JPEG."})
    if type_mime == "application/pdf":
        lire_pdf(
            fichier,
            taille_max=taille_max,
            trop_gros=trop_gros,
            pas_un_pdf={"fichier": "La pièce doit être un PDF ou une image PNG ou JPEG."},
            illisible={"fichier": "Ce PDF est illisible ou vide."},
        )
        return type_mime
    try:
        donnees = fichier.read()
        with Image.open(io.BytesIO(donnees)) as image:
            if image.format != _FORMATS_PILLOW[type_mime]:
                raise ValidationError({"fichier": "Cette image est illisible ou endommagée."})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"fichier": "Cette image est illisible ou endommagée."}) from None
    finally:
        fichier.seek(0)
    return type_mime
