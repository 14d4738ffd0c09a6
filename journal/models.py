"""The access log: who viewed, changed, printed, exported or shared a person's file (CNIL: every access to
a file is traceable). Append-only: the app never updates or deletes a row; PostgreSQL refuses it too
(trigger of migration 0002), except inside the purge of rows older than the retention period."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    CONSULTATION = "CONSULTATION", "consultation"
    MODIFICATION = "MODIFICATION", "modification"
    IMPRESSION = "IMPRESSION", "impression"
    EXPORT = "EXPORT", "export"
    PARTAGE = "PARTAGE", "partage"


class JournalAccesQuerySet(models.QuerySet):
    def du_dossier(self, resident_id):
        return self.filter(resident_id=resident_id)

    def partages(self):
        return self.filter(action=Action.PARTAGE)


class JournalAcces(models.Model):
    # No foreign keys enforced by the database: a row must outlive the account or the file it names
    # (a cascade or SET NULL would be an UPDATE/DELETE, which the trigger refuses), and nobody may
    # block the deletion of an account because it appears in the log.
    horodatage = models.DateTimeField("date et heure", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        "accounts.User",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name="utilisateur",
    )
    identifiant = models.CharField("identifiant", max_length=150)
    role = models.CharField("rôle", max_length=30)
    structures = ArrayField(models.IntegerField(), default=list, blank=True, verbose_name="structures")
    action = models.CharField("action", max_length=20, choices=Action.choices)
    type_objet = models.CharField("type d'objet", max_length=50)
    objet_id = models.BigIntegerField("identifiant de l'objet", null=True)
    resident = models.ForeignKey(
        "residents.Resident",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name="personne",
    )
    page = models.CharField("page", max_length=100, blank=True)
    detail = models.CharField(
        "détail", max_length=250, blank=True, help_text="Pour un partage : à qui, quelles informations."
    )
    ip = models.GenericIPAddressField("adresse IP", null=True)

    objects = JournalAccesQuerySet.as_manager()

    class Meta:
        verbose_name = "accès à un dossier"
        verbose_name_plural = "journal des accès"
        ordering = ["-horodatage", "-pk"]
        default_permissions = ("view",)  # no add/change/delete permission to hand out in the admin
        indexes = [models.Index(fields=["resident", "horodatage"], name="journal_resident_date")]

    def __str__(self):
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.identifiant} {self.get_action_display()} {self.type_objet}"
