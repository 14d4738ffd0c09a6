"""Every e-mail the application sends, recorded in the transaction of what it announces (docs/faults.md)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Courriel(models.Model):
    """An e-mail saved with the action it tells about (a digest, a report to the délégué, a contract's
    step), sent afterwards by a task (courriels.tasks.envoyer): the SMTP server's faults never undo nor
    fail the action. The row is the claim that keeps it from being sent twice."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "à envoyer"
        EN_COURS = "EN_COURS", "envoi en cours"
        ENVOYE = "ENVOYE", "envoyé"
        ECHEC = "ECHEC", "non envoyé"

    destinataires = ArrayField(models.EmailField(), verbose_name="destinataires")
    sujet = models.CharField("sujet", max_length=300)
    corps = models.TextField("texte", help_text="Effacé une fois le courriel envoyé.")
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    erreur = models.TextField("dernière erreur", blank=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    mis_en_file_le = models.DateTimeField("confié aux tâches le", null=True, blank=True)
    pris_par = models.CharField("pris par", max_length=200, blank=True)
    pris_le = models.DateTimeField("pris le", null=True, blank=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "courriel"
        ordering = ["-cree_le"]
        indexes = [
            # The minute's pass reads the few rows not sent yet, never the sent ones.
            models.Index(
                fields=["cree_le"], name="courriel_a_envoyer", condition=Q(etat__in=["EN_ATTENTE", "EN_COURS"])
            )
        ]

    def __str__(self):
        return f"{self.sujet} ({self.get_etat_display()})"
