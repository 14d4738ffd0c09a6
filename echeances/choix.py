"""The states and rules of the engine (importable by models without loading the référentiel)."""

from django.db import models


class Etat(models.TextChoices):
    """The state of an échéance, with everything a screen shows of it: its label, its rank (the most
    urgent first, for sorting) and its colour (the `etat-echeance--…` class of static/css/app.css, shown
    with the word, never alone: templates/components/etat_echeance.html)."""

    A_JOUR = "A_JOUR", "à jour"
    BIENTOT = "BIENTOT", "bientôt dû"
    EN_RETARD = "EN_RETARD", "en retard"

    @property
    def rang(self):
        return _RANG[self]

    @property
    def couleur(self):
        return _COULEUR[self]

    @staticmethod
    def rang_de(etat):
        """The rank of a state read as text (a row, a query string), after every state when there is none."""
        return _RANG.get(etat, len(_RANG))

    @staticmethod
    def le_pire(etats):
        """The most urgent of some states (A_JOUR when there is none)."""
        return min(etats, key=_RANG.__getitem__, default=Etat.A_JOUR)


# Looked up as dicts (a state read from a row is a plain str, equal to its member): the engine asks them
# for every measure of the base.
_RANG = {Etat.EN_RETARD: 0, Etat.BIENTOT: 1, Etat.A_JOUR: 2}
_COULEUR = {Etat.EN_RETARD: "en-retard", Etat.BIENTOT: "bientot", Etat.A_JOUR: "a-jour"}


class Regle(models.TextChoices):
    CONTACT = "CONTACT", "contact"
    RENCONTRE_PHYSIQUE = "RENCONTRE_PHYSIQUE", "rencontre physique"
    RENOUVELLEMENT = "RENOUVELLEMENT", "renouvellement du contrat"
    CONTRAT_MANQUANT = "CONTRAT_MANQUANT", "contrat manquant"
    ABSENCES = "ABSENCES", "absences non excusées"
    NORME_FILE_ACTIVE = "NORME_FILE_ACTIVE", "file active au-dessus de la norme"
    ELIGIBILITE = "ELIGIBILITE", "éligibilité"
    VALIDATION_EN_ATTENTE = "VALIDATION_EN_ATTENTE", "validation en attente"
    CER_A_REMPLACER = "CER_A_REMPLACER", "CER à remplacer par un contrat d'engagement"
    CONVOCATION = "CONVOCATION", "convocation après l'orientation"
    REORIENTATION_DEMANDEE = "REORIENTATION_DEMANDEE", "demande de réorientation à décider"
    SANCTION_OBSERVATIONS = "SANCTION_OBSERVATIONS", "sanction : observations de la personne attendues"
    SANCTION_DECISION = "SANCTION_DECISION", "sanction : avis de l'équipe pluridisciplinaire et décision"
