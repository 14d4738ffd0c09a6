"""The impact of a proposed version of the référentiel, before it is saved (issue 20 §2): the engine runs
on the day the version would apply, once with the référentiel as saved and once as if the version were
saved, on the measures it can touch (its level's territories, its modality) and for the rules that read
the values it changes. Read-only: nothing is written, the proposal is an unsaved object.

Both runs share the rows of the rules' queries (Contexte(lignes_lues=…)): a statement whose text and
parameters the version does not change (every rule's, for the « bientôt dû » window, which only the
Python side reads) runs once. On the whole base that is most of the time (issue 20, docs/bench.md)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from accompagnement.models import Accompagnement
from referentiel.models import Parametre, Structure, SurchargeModalite
from referentiel.regles import parametres_par_territoire, referentiel_en_vigueur, regles_par_territoire

from . import regles_admissions
from .base import Contexte
from .choix import Etat, Regle
from .moteur import calculer

# The rules that read each value of a modality (the columns of `acc` in echeances/base.py, read by
# regles_contacts, regles_contrats, regles_personnes): a version runs those of the values whose effective
# value it changes somewhere. The contract's duration is read when a contract is drafted, by no rule.
_FREQUENCES = (Regle.CONTACT, Regle.RENCONTRE_PHYSIQUE)
REGLES_DES_VALEURS = {
    "intervalle_contact": _FREQUENCES,
    "intervalle_rencontre": _FREQUENCES,
    "phase_initiale_duree": _FREQUENCES,
    "phase_initiale_contact": _FREQUENCES,
    "phase_initiale_rencontre": _FREQUENCES,
    "type_contrat": (Regle.RENOUVELLEMENT, Regle.CONTRAT_MANQUANT, Regle.CER_A_REMPLACER),
    "renouvellements_max": (Regle.RENOUVELLEMENT,),
    "norme_file_active": (Regle.NORME_FILE_ACTIVE,),
    "age_min": (Regle.ELIGIBILITE,),
    "age_max": (Regle.ELIGIBILITE,),
}
VALEURS_SANS_ECHEANCE = {"duree_contrat"}

_ADMISSIONS = (*regles_admissions.admissions.regles, *regles_admissions.glissements.regles)
# The rules that read each parameter; None: every rule (the « bientôt dû » window). A parameter absent
# from this table moves no échéance (workshops, retention, bounds of a form): tests/echeances/test_impact.py
# checks that every code is in one of the two.
REGLES_DES_PARAMETRES = {
    "BIENTOT_DU": None,
    "RENOUVELLEMENT_PREAVIS": (Regle.RENOUVELLEMENT,),
    "VALIDATION_ATTENTE_MAX": (Regle.VALIDATION_EN_ATTENTE,),
    "ORIENTATION_RSA_DELAI": (Regle.CONTRAT_MANQUANT,),
    "CER_SIGNATURE_DELAI": (Regle.CONTRAT_MANQUANT,),
    "CONTRAT_ENGAGEMENT_SIGNATURE_DELAI": (Regle.CONTRAT_MANQUANT,),
    "CONTRAT_ENGAGEMENT_DEPUIS": (Regle.CONTRAT_MANQUANT,),
    "NOUVEL_ENTRANT_DUREE": (Regle.ELIGIBILITE,),
    "AGE_SORTIE_PREAVIS": (Regle.ELIGIBILITE,),
    "ABSENCES_SUCCESSIVES": (Regle.ABSENCES,),
    "CER_REMPLACEMENT_AVANT": (Regle.CER_A_REMPLACER,),
    "CONVOCATION_DELAI": (Regle.CONVOCATION,),
    "REORIENTATION_REPONSE_DELAI": (Regle.REORIENTATION_DEMANDEE,),
    "SANCTION_OBSERVATIONS_DELAI": (Regle.SANCTION_OBSERVATIONS, Regle.SANCTION_DECISION),
    "SANCTION_DECISION_DELAI": (Regle.SANCTION_DECISION,),
    **dict.fromkeys(regles_admissions._PARAMETRES.values(), _ADMISSIONS),
}
SANS_ECHEANCE = {
    "ATELIER_PARTICIPANTS_MIN",
    "ATELIER_PARTICIPANTS_MAX",
    "ATELIERS_PAR_MOIS_MIN",
    "ATELIERS_PAR_MOIS_MAX",
    "ACTIVITE_HEBDO_HEURES",
    "FJT_AGE_ALERTE",
    "FIN_SEJOUR_PREAVIS",
    "CONSERVATION_DOSSIER",
    "CONSERVATION_JOURNAL",
    "DROIT_ACCES_DELAI",
    "SUSPENSION_TAUX_MIN",
    "SUSPENSION_TAUX_MAX",
    "SUSPENSION_DUREE_MAX",
}
EXEMPLES = 5


@dataclass
class Impact:
    """What a version would change on its day `le`: for each measure and rule, its state before and after
    (a measure already late on another rule still shows what this one changes)."""

    le: object
    regles: tuple | None
    mesures: int = 0
    changements: list = field(default_factory=list)  # (accompagnement_id, regle, avant, apres)
    referents_au_dessus: tuple = (0, 0)  # NORME_FILE_ACTIVE: référents above their norm, before and after
    par_structure: list = field(default_factory=list)  # rows: structure, plus_urgentes, moins_urgentes, exemples

    @property
    def mesures_changees(self):
        return len({acc_id for acc_id, *_ in self.changements})

    @property
    def sans_effet(self):
        return not self.changements and self.referents_au_dessus[0] == self.referents_au_dessus[1]


def impact(version, le=None):
    """Impact of the unsaved `version` (SurchargeModalite or Parametre) on the day it would apply."""
    le = le or version.en_vigueur_le or timezone.localdate()
    territoires, regles_avant, parametres_avant = referentiel_en_vigueur(le)
    propose = (
        territoires,
        regles_par_territoire(territoires, le, [version]),
        parametres_par_territoire(territoires, le, [version]),
    )
    regles = _regles_lues(version, (regles_avant, parametres_avant), propose[1:])
    resultat = Impact(le=le, regles=regles)
    if regles == ():
        return resultat
    mesures = _mesures(version)
    lignes_lues = {}
    avant = _etats(calculer(mesures, le=le, regles=regles, contexte=Contexte(le, lignes_lues=lignes_lues)))
    apres = _etats(
        calculer(mesures, le=le, regles=regles, contexte=Contexte(le, referentiel=propose, lignes_lues=lignes_lues))
    )
    lignes_lues.clear()
    resultat.mesures = mesures.filter(date_debut__lte=le).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=le)).count()
    for cle in sorted(set(avant[0]) | set(apres[0])):
        etat_avant, etat_apres = avant[0].get(cle, Etat.A_JOUR), apres[0].get(cle, Etat.A_JOUR)
        if etat_avant != etat_apres:
            resultat.changements.append((*cle, etat_avant, etat_apres))
    resultat.referents_au_dessus = (len(avant[1]), len(apres[1]))
    resultat.par_structure = _par_structure(resultat.changements)
    return resultat


def _regles_lues(version, avant, apres):
    """The rules that read what the version changes in the effective référentiel of its day: () when it
    changes nothing there (the same values as the version it supersedes, or hidden by a version of a
    narrower level), None for every rule."""
    if isinstance(version, Parametre):
        if version.code in SANS_ECHEANCE or all(
            avant[1].get(cle) == valeur for cle, valeur in apres[1].items() if cle[1] == version.code
        ):
            return ()
        regles = REGLES_DES_PARAMETRES.get(version.code)
        return None if regles is None else tuple(regles)
    changees = {
        champ
        for cle, regles in apres[0].items()
        if cle[1] == version.modalite_id
        for champ in REGLES_DES_VALEURS
        if getattr(avant[0].get(cle), champ, None) != getattr(regles, champ)
    }
    return tuple(dict.fromkeys(regle for champ in sorted(changees) for regle in REGLES_DES_VALEURS[champ]))


def _mesures(version):
    """The measures the version can reach (the engine keeps those active on its day)."""
    mesures = Accompagnement.objects.all()
    if version.territoire_id:
        mesures = mesures.filter(structure__territoire_id=version.territoire_id)
    elif version.departement_id:
        mesures = mesures.filter(structure__territoire__departement_id=version.departement_id)
    if isinstance(version, SurchargeModalite):
        mesures = mesures.filter(modalite_id=version.modalite_id)
    return mesures


def _etats(echeances):
    """({(accompagnement_id, regle): most urgent state, when not à jour}, {référents above their norm}).
    Plain comparisons: on the whole base this loop sees 280,000 échéances twice."""
    par_mesure, referents = {}, set()
    for e in echeances:
        if e.accompagnement_id is not None:
            if e.etat != Etat.A_JOUR and (e.etat == Etat.EN_RETARD or (e.accompagnement_id, e.regle) not in par_mesure):
                par_mesure[(e.accompagnement_id, e.regle)] = e.etat
        elif e.regle == Regle.NORME_FILE_ACTIVE:
            referents.add(e.referent_id)
    return par_mesure, referents


def _par_structure(changements):
    """Rows per structure (by name): how many measures become more urgent, less urgent, a few examples."""
    par_mesure = {}
    for acc_id, regle, avant, apres in changements:
        par_mesure.setdefault(acc_id, []).append({"regle": Regle(regle), "avant": Etat(avant), "apres": Etat(apres)})
    structures = dict(Accompagnement.objects.filter(pk__in=list(par_mesure)).values_list("pk", "structure_id"))
    lignes = {}
    for acc_id, regles in par_mesure.items():
        ligne = lignes.setdefault(structures[acc_id], {"plus": 0, "moins": 0, "ids": []})
        plus = any(Etat.rang_de(r["apres"]) < Etat.rang_de(r["avant"]) for r in regles)
        ligne["plus" if plus else "moins"] += 1
        if len(ligne["ids"]) < EXEMPLES:
            ligne["ids"].append(acc_id)
    # Examples name the measure and its référent, never the person: the administrator reads no file.
    exemples = Accompagnement.objects.select_related("modalite", "referent").in_bulk(
        [i for ligne in lignes.values() for i in ligne["ids"]]
    )
    noms = Structure.objects.in_bulk(list(lignes))
    return sorted(
        (
            {
                "structure": noms[structure_id],
                "plus_urgentes": ligne["plus"],
                "moins_urgentes": ligne["moins"],
                "exemples": [{"mesure": exemples[i], "regles": par_mesure[i]} for i in ligne["ids"]],
            }
            for structure_id, ligne in lignes.items()
        ),
        key=lambda ligne: ligne["structure"].nom,
    )
