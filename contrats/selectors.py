"""« Mes contrats » as the page shows it for its filters: read by the screen (contrats.views) and by its
export (pilotage.listes), so the file holds the rows of the screen."""

from accompagnement.models import Accompagnement
from accompagnement.selectors import referents_de_l_equipe
from accompagnement.views_communs import entier
from accounts import acces
from echeances.choix import Regle
from echeances.moteur import calculer
from referentiel.models import Structure
from referentiel.regles import parametre

from . import liste
from .forms import FiltresContratsForm
from .models import Contrat


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


# --- CERs to replace by contrats d'engagement (loi pour le plein emploi, domain.md §10) ---------------


def structures_des_cer_a_remplacer(user):
    """The structures whose list of CERs to replace the user reads (accounts.acces)."""
    return Structure.objects.filter(acces.filtre_structures_des_cer(user)).order_by("nom", "pk")


def cer_a_remplacer(user, donnees, le):
    """(the structures the user may pick, the one shown or None when the query string names one they may
    not read, its date limit, its rows): the CER_A_REMPLACER échéances (echeances.moteur: the same
    reading as « À faire » and the morning job) of the structure's measures the user sees, each with its
    contract and person, the nearest end first. Read by the page and by its export."""
    structures = list(structures_des_cer_a_remplacer(user).select_related("territoire"))
    demandee = entier(donnees.get("structure"))
    if demandee is None:
        structure = structures[0] if structures else None
    else:
        structure = next((s for s in structures if s.pk == demandee), None)
    if structure is None:
        return structures, None, None, []
    date_limite = parametre("CER_REMPLACEMENT_AVANT", structure.territoire)
    mesures = Accompagnement.objects.visibles_par(user).filter(structure=structure)
    echeances = calculer(mesures, le=le, regles={Regle.CER_A_REMPLACER})
    contrats = (
        Contrat.objects.visibles_par(user)
        .select_related("accompagnement__resident", "accompagnement__referent")
        .in_bulk([e.contrat_id for e in echeances])
    )
    lignes = [{"echeance": e, "contrat": contrats[e.contrat_id]} for e in echeances if e.contrat_id in contrats]
    lignes.sort(key=lambda ligne: (ligne["contrat"].date_fin, str(ligne["contrat"].accompagnement.resident)))
    return structures, structure, date_limite, lignes
