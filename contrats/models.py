"""Contracts: one model with kinds (COM, CER, contrat d'engagement, plan d'actions ASLL, tripartite)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.models import Accompagnement
from referentiel.models import TypeContrat


class ContratQuerySet(models.QuerySet):
    def visibles_par(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(accompagnement__in=Accompagnement.objects.visibles_par(user))

    def en_vigueur(self, le=None):
        """Signed (and validated where a validator exists) and covering the day: [début, fin)."""
        le = le or timezone.localdate()
        return self.filter(etat__in=Contrat.ETATS_EN_VIGUEUR, date_debut__lte=le, date_fin__gt=le)

    def vivants(self):
        """Every contract that still counts: not cancelled, not refused."""
        return self.exclude(etat__in=[Contrat.Etat.ANNULE, Contrat.Etat.REFUSE])


class Contrat(models.Model):
    class Etat(models.TextChoices):
        BROUILLON = "BROUILLON", "brouillon"
        EN_SIGNATURE = "EN_SIGNATURE", "soumis à la signature"
        EN_VALIDATION = "EN_VALIDATION", "en attente de validation"
        DIFFERE = "DIFFERE", "validation différée"
        REFUSE = "REFUSE", "refusé"
        SIGNE = "SIGNE", "signé"
        VALIDE = "VALIDE", "validé"
        ROMPU = "ROMPU", "rompu"
        ANNULE = "ANNULE", "annulé"

    ETATS_EN_VIGUEUR = (Etat.SIGNE, Etat.VALIDE)
    ETATS_EN_PREPARATION = (Etat.BROUILLON, Etat.EN_SIGNATURE, Etat.EN_VALIDATION, Etat.DIFFERE)
    TYPES_A_VALIDER = (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT)

    accompagnement = models.ForeignKey(
        Accompagnement, models.PROTECT, related_name="contrats", verbose_name="accompagnement"
    )
    type = models.CharField("type", max_length=20, choices=TypeContrat.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", help_text="Le contrat suivant commence ce jour-là.")
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON)
    precedent = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="successeur",
        verbose_name="contrat renouvelé",
    )
    numero_renouvellement = models.PositiveSmallIntegerField("renouvellement n°", default=0)
    date_soumission_validation = models.DateTimeField("soumis à validation le", null=True, blank=True)
    cree_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="rédigé par")
    cree_le = models.DateTimeField("rédigé le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = ContratQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        ordering = ["-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gt=models.F("date_debut")),
                name="contrat_fin_apres_debut",
                violation_error_message="La fin du contrat doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date_debut:%d/%m/%Y} au {self.date_fin:%d/%m/%Y}"

    @property
    def a_valider(self):
        return self.type in self.TYPES_A_VALIDER
