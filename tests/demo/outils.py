"""Reading the demo's raw data the way domain.md §6 states the rules (independently of the engine)."""

from django.utils import timezone

from accompagnement.models import Accompagnement, Entretien, Participation
from referentiel.delais import relativedelta_de
from referentiel.models import Structure
from referentiel.regles import parametres_par_territoire, regles_par_territoire

TERRITOIRES = ["Épinal", "Saint-Dié-des-Vosges"]


def structures_demo():
    return Structure.objects.filter(territoire__departement__code="88", territoire__nom__in=TERRITOIRES)


def mesures_demo():
    return (
        Accompagnement.objects.filter(structure__in=structures_demo())
        .actifs()
        .select_related("modalite", "structure__territoire", "resident", "referent")
    )


def regles(acc):
    return regles_par_territoire([acc.structure.territoire])[(acc.structure.territoire_id, acc.modalite_id)]


def parametre(acc, code):
    return parametres_par_territoire([acc.structure.territoire])[(acc.structure.territoire_id, code)]


def delai(acc, code):
    return relativedelta_de(parametre(acc, code))


def derniers_contacts(acc):
    """(last contact, last physical meeting) as dates; a workshop counts as a contact, not a meeting."""
    honores = Entretien.objects.filter(accompagnement=acc, statut=Entretien.Statut.HONORE)
    dates = [e.date_heure.astimezone(timezone.get_current_timezone()).date() for e in honores]
    physiques = [e.date_heure.astimezone(timezone.get_current_timezone()).date() for e in honores.filter(physique=True)]
    ateliers = Participation.objects.filter(resident=acc.resident, action__date_heure__date__gte=acc.date_debut)
    dates += [p.action.date_heure.date() for p in ateliers]
    return max(dates, default=None), max(physiques, default=None)


def etat(acc, dernier, intervalle):
    """EN_RETARD / BIENTOT / A_JOUR of a frequency rule, the start standing for a missing last one."""
    aujourdhui = timezone.localdate()
    due = (dernier or acc.date_debut) + relativedelta_de(intervalle)
    if due < aujourdhui:
        return "EN_RETARD"
    if due <= aujourdhui + delai(acc, "BIENTOT_DU"):
        return "BIENTOT"
    return "A_JOUR"
