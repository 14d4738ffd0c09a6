"""« Mes contrats » as the page shows it for its filters: read by the screen (contrats.views) and by its
export (pilotage.listes), so the file holds the rows of the screen."""

from accompagnement.selectors import referents_de_l_equipe

from . import liste
from .forms import FiltresContratsForm


def contrats_filtres(user, donnees):
    """(the filter form, bound when the query string has any; the filters it kept; the ordered list)."""
    tous = liste.contrats_de(user)
    form = FiltresContratsForm(
        donnees or None,
        referents=referents_de_l_equipe(user) if liste.voit_la_structure(user) else None,
        validateurs=liste.validateurs(tous),
    )
    filtres = form.filtres() if donnees else {}
    qs = liste.ordonner(liste.filtrer(liste.annoter(tous, user), **filtres)).select_related(
        "accompagnement__resident", "accompagnement__referent"
    )
    return form, filtres, qs
