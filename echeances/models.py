"""Alerts kept by the daily job, the digests sent, and the sanction reports to the délégué insertion."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts import acces

from .choix import Etat, Regle


class AlerteQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut=Alerte.Statut.OUVERTE)

    def pour(self, user):
        """Alerts where the user must act."""
        return self.filter(destinataires__contains=[user.pk])

    def visibles_par(self, user):
        return acces.alertes_visibles(self, user)


class Alerte(models.Model):
    """One cause (`cle`) the engine reported as due soon or overdue. Created once, updated each morning,
    closed by itself when the cause is gone; an acknowledged cause is not raised again."""

    class Statut(models.TextChoices):
        OUVERTE = "OUVERTE", "ouverte"
        ACQUITTEE = "ACQUITTEE", "prise en compte"
        FERMEE = "FERMEE", "fermée"

    cle = models.CharField("cause", max_length=200, unique=True)
    regle = models.CharField("règle", max_length=30, choices=Regle.choices)
    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="alertes",
        verbose_name="accompagnement",
    )
    resident = models.ForeignKey(
        "residents.Resident", models.CASCADE, null=True, blank=True, related_name="alertes", verbose_name="personne"
    )
    structure = models.ForeignKey(
        "referentiel.Structure", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="structure"
    )
    referent = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="référent"
    )
    territoire = models.ForeignKey(
        "referentiel.Territoire", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="territoire"
    )
    # Ids of the users who must act: an array (not a M2M) so that the morning job upserts every alert
    # in one statement; a GIN index keeps « my alerts » cheap.
    destinataires = ArrayField(models.BigIntegerField(), default=list, verbose_name="qui doit agir")
    due_le = models.DateField("à faire au plus tard le")
    etat = models.CharField("état", max_length=20, choices=Etat.choices)
    message = models.TextField("message")
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.OUVERTE)
    premiere_vue = models.DateField("vue la première fois le")
    derniere_vue = models.DateField("vue la dernière fois le")
    fermee_le = models.DateTimeField("fermée le", null=True, blank=True)
    acquittee_par = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="prise en compte par"
    )
    acquittee_le = models.DateTimeField("prise en compte le", null=True, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The job writes in bulk (no history row per morning); acknowledgements go through save() and are kept.
    history = HistoricalRecords()

    objects = AlerteQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte"
        ordering = ["due_le", "pk"]
        indexes = [
            GinIndex(fields=["destinataires"], name="alerte_destinataires_gin"),
            models.Index(fields=["statut", "due_le"], name="alerte_statut_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut="ACQUITTEE") | Q(acquittee_le__isnull=False),
                name="alerte_acquittee_datee",
                violation_error_message="Une alerte prise en compte doit être datée.",
            )
        ]

    def __str__(self):
        return self.message

    @property
    def url(self):
        from .base import url_de

        return url_de(self.regle, accompagnement_id=self.accompagnement_id, resident_id=self.resident_id)


class MesureASynchroniser(models.Model):
    """A measure written while a synchronisation held the lock (or whose synchronisation after the write
    failed): its alerts are brought in line by the next pass (services.synchroniser_en_attente). One row
    per write, duplicates allowed: the pass deletes exactly the rows it read, so a write queued during a
    pass is never swallowed by it."""

    accompagnement_id = models.BigIntegerField("mesure")  # no foreign key: a deleted measure just drops out
    depuis = models.DateTimeField("en attente depuis", default=timezone.now)

    class Meta:
        verbose_name = "mesure à resynchroniser"
        verbose_name_plural = "mesures à resynchroniser"

    def __str__(self):
        return f"mesure {self.accompagnement_id} ({self.depuis:%d/%m/%Y %H:%M})"


class Digest(models.Model):
    """The daily e-mail to one user, recorded with it (one per user and day: the claim that keeps a re-run
    from sending it twice). Whether it left is its e-mail's state: admin « Récapitulatifs quotidiens »."""

    user = models.ForeignKey("accounts.User", models.CASCADE, related_name="+", verbose_name="destinataire")
    jour = models.DateField("jour")
    nb_alertes = models.PositiveIntegerField("alertes")
    prepare_le = models.DateTimeField("préparé le", default=timezone.now)
    courriel = models.OneToOneField(
        "courriels.Courriel", models.SET_NULL, null=True, blank=True, related_name="digest", verbose_name="courriel"
    )

    class Meta:
        verbose_name = "récapitulatif quotidien"
        verbose_name_plural = "récapitulatifs quotidiens"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jour"],
                name="digest_un_par_jour",
                violation_error_message="Le récapitulatif du jour a déjà été envoyé.",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.jour:%d/%m/%Y}"


class SignalementQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.signalements_visibles(self, user)


class SignalementSanction(models.Model):
    """The référent's qualified, justified report to the délégué insertion after successive unexcused
    absences (domain.md §6.4), and the délégué's outcome."""

    class Issue(models.TextChoices):
        AVERTISSEMENT = "AVERTISSEMENT", "avertissement"
        SUSPENSION = "SUSPENSION", "suspension-remobilisation"
        CLASSEMENT = "CLASSEMENT", "classement sans suite"
        AUTRE = "AUTRE", "autre"

    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement",
        models.PROTECT,
        related_name="signalements",
        verbose_name="accompagnement",
    )
    absences = models.ManyToManyField(
        "accompagnement.Entretien", related_name="signalements", verbose_name="absences signalées"
    )
    # The last absence of the series: one report per series, even after a double submit.
    derniere_absence = models.OneToOneField(
        "accompagnement.Entretien",
        models.PROTECT,
        related_name="signalement_serie",
        verbose_name="dernière absence",
    )
    motif = models.TextField("motif", help_text="Décrivez les faits, les relances faites et la situation.")
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="rédigé par")
    envoye_le = models.DateTimeField("envoyé le", default=timezone.now)
    issue = models.CharField("suite donnée", max_length=20, choices=Issue.choices, blank=True)
    issue_commentaire = models.TextField("commentaire du délégué", blank=True)
    issue_le = models.DateField("décidée le", null=True, blank=True)
    issue_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="décidée par"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = SignalementQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement au délégué insertion"
        verbose_name_plural = "signalements au délégué insertion"
        ordering = ["-envoye_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issue="") | Q(issue_le__isnull=False),
                name="signalement_issue_datee",
                violation_error_message="Indiquez la date de la décision.",
            )
        ]

    def __str__(self):
        return f"Signalement – {self.accompagnement} ({self.envoye_le:%d/%m/%Y})"
