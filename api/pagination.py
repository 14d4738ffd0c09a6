"""Cursor pagination over stable ids: a page's `next` link goes on where it stopped even while rows are
added (no offset that shifts)."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class CurseurParId(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "taille"
    # 500: a person's whole history of entretiens in one page for a system that synchronises her
    max_page_size = 500
    cursor_query_param = "curseur"
    cursor_query_description = "Position dans la liste (lien `next` ou `previous` de la page précédente)."
    page_size_query_description = "Nombre de résultats par page (500 au plus)."

    def decode_cursor(self, request):
        # A cursor typed by hand or cut short is bad input (400, named), not a missing object: DRF's 404
        # came out as the API's bare « Introuvable. ».
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None


class CurseurParMesure(CurseurParId):
    """The échéances, by pages of measures: the engine computes one page of measures at a time, so that a
    territory's token is answered page by page instead of all its measures at once (api.views.EcheancesView)."""

    page_size = 250
    max_page_size = 500
    page_size_query_description = (
        "Nombre de mesures par page (500 au plus) ; chacune a le plus souvent 3 à 5 échéances."
    )
