"""The states and rules of the engine (importable by models without loading the référentiel)."""

from django.db import models


class Etat(models.TextChoices):
    A_JOUR = "A_JOUR", "à jour"
    BIENTOT = "BIENTOT", "bientôt dû"
    EN_RETARD = "EN_RETARD", "en retard"


# Worst first, to pick the worst of two states.
_GRAVITE = {Etat.A_JOUR: 0, Etat.BIENTOT: 1, Etat.EN_RETARD: 2}


class Regle(models.TextChoices):
    CONTACT = "CONTACT", "contact"
    RENCONTRE_PHYSIQUE = "RENCONTRE_PHYSIQUE", "rencontre physique"
    RENOUVELLEMENT = "RENOUVELLEMENT", "renouvellement du contrat"
    CONTRAT_MANQUANT = "CONTRAT_MANQUANT", "contrat manquant"
    ABSENCES = "ABSENCES", "absences non excusées"
    NORME_FILE_ACTIVE = "NORME_FILE_ACTIVE", "file active au-dessus de la norme"
    ELIGIBILITE = "ELIGIBILITE", "éligibilité"
    VALIDATION_EN_ATTENTE = "VALIDATION_EN_ATTENTE", "validation en attente"
