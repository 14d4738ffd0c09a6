"""The request bodies the API reads: JSON only, of a bounded size (settings.API_TAILLE_MAX_OCTETS), read
before parsing so that a huge body is refused (400) without being held in memory."""

import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from residents import imports

# The multipart envelope and the other fields of the import's form, beyond the file itself.
MARGE_FORMULAIRE = 64 * 1024


class JSONBorne(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limite = settings.API_TAILLE_MAX_OCTETS
        request = (parser_context or {}).get("request")
        longueur = request.META.get("CONTENT_LENGTH") if request is not None else None
        if longueur and longueur.isdigit() and int(longueur) > limite:
            raise ParseError(f"Requête trop volumineuse : {limite} octets au plus.")
        contenu = stream.read(limite + 1) if stream is not None else b""
        if len(contenu) > limite:
            raise ParseError(f"Requête trop volumineuse : {limite} octets au plus.")
        try:
            return super().parse(io.BytesIO(contenu), media_type, parser_context)
        except ParseError:
            raise ParseError("Le corps de la requête n'est pas du JSON valide.") from None


class FichierBorne(MultiPartParser):
    """The import's upload (multipart/form-data): refused before it is read when it announces more than the
    screen accepts (settings.IMPORT_ALLOCATAIRES_TAILLE_MAX, with room for the form's other fields), in
    the screen's words; a smaller announcement is checked again on the file itself by the service."""

    def parse(self, stream, media_type=None, parser_context=None):
        limite = settings.IMPORT_ALLOCATAIRES_TAILLE_MAX
        request = (parser_context or {}).get("request")
        longueur = request.META.get("CONTENT_LENGTH") if request is not None else None
        if longueur and longueur.isdigit() and int(longueur) > limite + MARGE_FORMULAIRE:
            raise ParseError(imports.trop_volumineux())
        return super().parse(stream, media_type, parser_context)
