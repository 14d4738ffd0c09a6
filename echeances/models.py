"""Alerts kept by the daily job, the digests sent, and the sanction reports to the délégué insertion."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
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


class EtapeSanction(models.TextChoices):
    """The steps of the sanction procedure (domain.md §10, seed 003): the one place for each state's label
    and colour (a class of static/css/app.css, shown beside the word)."""

    SIGNALE = "SIGNALE", "signalé, personne à informer"
    INFORMEE = "INFORMEE", "personne informée, observations attendues"
    OBSERVATIONS = "OBSERVATIONS", "observations reçues, avis de l'équipe pluridisciplinaire attendu"
    AVIS_EP = "AVIS_EP", "avis de l'équipe pluridisciplinaire rendu, décision attendue"
    CLOS = "CLOS", "décidé sans suspension"
    SUSPENDU = "SUSPENDU", "suspension-remobilisation en cours"
    LEVE = "LEVE", "suspension levée"

    @property
    def couleur(self):
        return _COULEUR_ETAPE[self]

    @property
    def ouverte(self):
        return self in ETAPES_OUVERTES


ETAPES_OUVERTES = (EtapeSanction.SIGNALE, EtapeSanction.INFORMEE, EtapeSanction.OBSERVATIONS, EtapeSanction.AVIS_EP)
_COULEUR_ETAPE = {
    EtapeSanction.SIGNALE: "bientot",
    EtapeSanction.INFORMEE: "bientot",
    EtapeSanction.OBSERVATIONS: "bientot",
    EtapeSanction.AVIS_EP: "bientot",
    EtapeSanction.CLOS: "a-jour",
    EtapeSanction.SUSPENDU: "en-retard",
    EtapeSanction.LEVE: "a-jour",
}


class SignalementSanction(models.Model):
    """The référent's qualified, justified report to the délégué insertion, and the procedure that follows
    (seed 003, domain.md §6.4 and §10): the person is informed and may present observations within the
    référentiel's SANCTION_OBSERVATIONS_DELAI, the équipe pluridisciplinaire gives its opinion, the
    Président's delegate decides (`issue`), and a suspension-remobilisation is lifted when she complies.
    `etape` is the state; each step's date and content are fields here, its author is in the step log
    (EtapeSignalement), every earlier version in the history."""

    class Origine(models.TextChoices):
        ABSENCES = "ABSENCES", "absences successives non excusées"
        REFUS_CONTRAT = "REFUS_CONTRAT", "refus de signer le contrat (premier ou renouvellement)"
        NON_RESPECT = "NON_RESPECT", "non-respect des engagements du contrat"

    class Issue(models.TextChoices):
        CLASSEMENT = "CLASSEMENT", "pas de sanction (classement sans suite)"
        SUSPENSION = "SUSPENSION", "suspension-remobilisation"
        AVERTISSEMENT = "AVERTISSEMENT", "avertissement"
        AUTRE = "AUTRE", "autre"

    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement",
        models.PROTECT,
        related_name="signalements",
        verbose_name="accompagnement",
    )
    origine = models.CharField("origine", max_length=20, choices=Origine.choices, default=Origine.ABSENCES)
    absences = models.ManyToManyField(
        "accompagnement.Entretien", related_name="signalements", verbose_name="absences signalées", blank=True
    )
    # The last absence of the series: one report per series, even after a double submit.
    derniere_absence = models.OneToOneField(
        "accompagnement.Entretien",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signalement_serie",
        verbose_name="dernière absence",
    )
    # The refusal reported: one report per refusal.
    refus = models.OneToOneField(
        "contrats.RefusSignature",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signalement",
        verbose_name="refus de signer",
    )
    motif = models.TextField("motif", help_text="Décrivez les faits, les relances faites et la situation.")
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="rédigé par")
    envoye_le = models.DateTimeField("envoyé le", default=timezone.now)
    etape = models.CharField("étape", max_length=20, choices=EtapeSanction.choices, default=EtapeSanction.SIGNALE)
    informee_le = models.DateField("personne informée le", null=True, blank=True)
    observations_limite = models.DateField("observations attendues jusqu'au", null=True, blank=True)
    observations_le = models.DateField("observations présentées le", null=True, blank=True)
    observations = models.TextField("observations de la personne", blank=True)
    avis_ep_le = models.DateField("avis de l'équipe pluridisciplinaire le", null=True, blank=True)
    avis_ep = models.TextField("avis de l'équipe pluridisciplinaire", blank=True)
    issue = models.CharField("décision", max_length=20, choices=Issue.choices, blank=True)
    issue_commentaire = models.TextField("motif de la décision", blank=True)
    issue_le = models.DateField("décidée le", null=True, blank=True)
    issue_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="décidée par"
    )
    suspension_taux = models.PositiveSmallIntegerField("part du RSA suspendue (%)", null=True, blank=True)
    suspension_duree_mois = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)
    suspension_debut = models.DateField("suspension à compter du", null=True, blank=True)
    levee_le = models.DateField("suspension levée le", null=True, blank=True)
    levee_motif = models.TextField("motif de la levée", blank=True)
    jeton = champ_jeton()
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
            ),
            models.CheckConstraint(
                condition=Q(origine="ABSENCES", derniere_absence__isnull=False)
                | (~Q(origine="ABSENCES") & Q(derniere_absence__isnull=True)),
                name="signalement_absences_selon_origine",
                violation_error_message="Un signalement après des absences porte sur la dernière absence de la série.",
            ),
            models.CheckConstraint(
                condition=Q(origine="REFUS_CONTRAT", refus__isnull=False)
                | (~Q(origine="REFUS_CONTRAT") & Q(refus__isnull=True)),
                name="signalement_refus_selon_origine",
                violation_error_message="Un signalement pour refus de signer porte sur le refus enregistré.",
            ),
            models.CheckConstraint(
                # A suspension decided before its extent was recorded (migration 0005) keeps no part.
                condition=~Q(issue="SUSPENSION")
                | (
                    Q(suspension_debut__isnull=False)
                    & (Q(suspension_taux__isnull=True) | Q(suspension_taux__gte=1, suspension_taux__lte=100))
                ),
                name="signalement_suspension_complete",
                violation_error_message="Indiquez la part suspendue (1 à 100 %) et la date de début.",
            ),
        ]

    def __str__(self):
        return f"Signalement – {self.accompagnement} ({self.envoye_le:%d/%m/%Y})"

    @property
    def etape_choix(self):
        return EtapeSanction(self.etape)


class EtapeSignalement(models.Model):
    """The step log of a report: who recorded which step, the day it happened, what was said."""

    signalement = models.ForeignKey(
        SignalementSanction, models.CASCADE, related_name="etapes", verbose_name="signalement"
    )
    etape_avant = models.CharField("étape avant", max_length=20, choices=EtapeSanction.choices, blank=True)
    etape_apres = models.CharField("étape après", max_length=20, choices=EtapeSanction.choices)
    action = models.CharField("action", max_length=60)
    le = models.DateField("le")
    par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="enregistrée par")
    enregistree_le = models.DateTimeField("enregistrée le", default=timezone.now)
    commentaire = models.TextField("commentaire", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "étape de la procédure de sanction"
        verbose_name_plural = "étapes de la procédure de sanction"
        ordering = ["enregistree_le", "pk"]

    def __str__(self):
        return f"{self.action} ({self.le:%d/%m/%Y})"


def chemin_piece(instance, nom):
    """Under a private folder (no public URL serves MEDIA_ROOT: pieces are downloaded through a view that
    asks accounts.acces), with a random name: the original name is kept in `nom`."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(instance.type_mime, "bin")
    return f"prive/signalements/{instance.signalement_id}/{uuid.uuid4().hex}.{extension}"


class PieceSignalement(models.Model):
    """A supporting document of a report (PDF, PNG or JPEG, checked by content, size-limited)."""

    signalement = models.ForeignKey(
        SignalementSanction, models.PROTECT, related_name="pieces", verbose_name="signalement"
    )
    fichier = models.FileField("fichier", upload_to=chemin_piece, max_length=200)
    nom = models.CharField("nom du fichier", max_length=200)
    type_mime = models.CharField("type", max_length=40)
    taille = models.PositiveIntegerField("taille (octets)")
    ajoutee_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="ajoutée par")
    ajoutee_le = models.DateTimeField("ajoutée le", default=timezone.now)
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        ordering = ["ajoutee_le", "pk"]

    def __str__(self):
        return self.nom
