"""The évaluation partagée at the end of a contract, from which its renewal starts (domain.md §5, §7).

It reuses the measure's evaluation records (accompagnement.EvaluationPartagee and its EvaluationObjectif
rows): each objective of the contract gets its attainment, the skills shown and the person's words, and
the objective's state follows, so the renewal proposes again exactly the objectives not met. Called by
contrats.services.preparer_renouvellement, under its lock and checks."""

from django.core.exceptions import ValidationError

from accompagnement.jeton import deja_saisi
from accompagnement.models import EvaluationObjectif, EvaluationPartagee, Objectif
from referentiel.models import TypeContrat

# The contracts renewed « par une évaluation partagée » (the CER and the contrat d'engagement that replaces
# it; the plan d'actions ASLL, followed by the monthly committee). A COM is renewed every month.
TYPES_EVALUES = (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT, TypeContrat.PLAN_ASLL)
N = EvaluationObjectif.Niveau
ETAT_PAR_NIVEAU = {
    N.ATTEINT: Objectif.Etat.ATTEINT,
    N.PARTIEL: Objectif.Etat.PARTIELLEMENT_ATTEINT,
    N.AMORCE: Objectif.Etat.EN_COURS,
    N.NON_ATTEINT: Objectif.Etat.NON_ATTEINT,
}
REQUISE = (
    "Le renouvellement part de l'évaluation partagée du contrat qui se termine : faites-la d'abord avec la "
    "personne (atteinte de chaque objectif, coopération, satisfaction)."
)


def requise(contrat):
    return contrat.type in TYPES_EVALUES


def de(contrat):
    """The evaluation of this contract's end, or None."""
    return contrat.evaluation_de_fin()


def enregistrer(*, contrat, par, le, niveaux, cooperation, satisfaction, jeton=None):
    """`niveaux`: {objective id: {"niveau", "competences", "parole_personne"}} for every objective of the
    contract."""
    if existant := deja_saisi(EvaluationPartagee, jeton):
        return existant
    if de(contrat) is not None:
        raise ValidationError("La fin de ce contrat est déjà évaluée.")
    lignes = list(contrat.lignes_objectifs.select_related("objectif"))
    manquants = [
        str(ligne.objectif) for ligne in lignes if (niveaux.get(ligne.objectif_id) or {}).get("niveau") in (None, "")
    ]
    if manquants:
        raise ValidationError(f"Indiquez le niveau d'atteinte de chaque objectif : {', '.join(manquants)}.")
    if not (cooperation or "").strip() or not (satisfaction or "").strip():
        raise ValidationError("Décrivez la coopération de la personne et sa satisfaction, en ses propres mots.")
    evaluation = EvaluationPartagee.objects.create(
        accompagnement=contrat.accompagnement,
        contrat=contrat,
        date=le,
        cooperation=cooperation.strip(),
        satisfaction=satisfaction.strip(),
        auteur=par,
        jeton=jeton,
    )
    for ligne in lignes:
        saisie = niveaux[ligne.objectif_id]
        niveau = N(int(saisie["niveau"]))
        EvaluationObjectif.objects.create(
            objectif=ligne.objectif,
            evaluation_partagee=evaluation,
            date=le,
            niveau=niveau,
            competences=saisie.get("competences", ""),
            parole_personne=saisie.get("parole_personne", ""),
            auteur=par,
        )
        objectif = Objectif.objects.select_for_update().get(pk=ligne.objectif_id)
        if objectif.etat != Objectif.Etat.ABANDONNE and objectif.etat != ETAT_PAR_NIVEAU[niveau]:
            objectif.etat = ETAT_PAR_NIVEAU[niveau]
            objectif.version += 1  # a form opened before the evaluation cannot undo it
            objectif._history_user = par
            objectif.save(update_fields=["etat", "version"])
    return evaluation
