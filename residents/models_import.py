"""An import of the Département's file of new RSA beneficiaries, and the column mapping each user last
used. The file is read by residents.imports, classified and written by residents.services_import."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
from accounts import acces


class ImportQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.imports_visibles(self, user)


class ImportAllocataires(models.Model):
    class Etat(models.TextChoices):
        COLONNES = "COLONNES", "colonnes à faire correspondre"
        ANALYSE_EN_ATTENTE = "ANALYSE_EN_ATTENTE", "lecture du fichier en attente"
        ANALYSE_EN_COURS = "ANALYSE_EN_COURS", "lecture du fichier en cours"
        APERCU = "APERCU", "aperçu à confirmer"
        EN_ATTENTE = "EN_ATTENTE", "import confirmé, en attente"
        EN_COURS = "EN_COURS", "import en cours"
        TERMINE = "TERMINE", "importé"
        ECHEC = "ECHEC", "échec"
        ABANDONNE = "ABANDONNE", "abandonné"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    par = models.ForeignKey("accounts.User", models.PROTECT, related_name="imports_allocataires", verbose_name="par")
    structure = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, related_name="imports_allocataires", verbose_name="structure d'accueil"
    )
    nom_fichier = models.CharField("fichier", max_length=255)
    format = models.CharField("format", max_length=4, choices=Format.choices)
    # Kept until the import is done (or abandoned), then deleted: the report keeps what was done.
    fichier = models.FileField("fichier déposé", upload_to="imports/", blank=True)
    empreinte = models.CharField("SHA-256 du fichier", max_length=64)
    entetes = models.JSONField("colonnes du fichier", default=list, blank=True)
    # The first line's values, shown beside each column on the mapping step.
    exemple = models.JSONField("exemple de ligne", default=list, blank=True)
    # {column index: field} as confirmed on the mapping step.
    correspondance = models.JSONField("correspondance des colonnes", default=dict, blank=True)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.COLONNES)
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    lignes_total = models.PositiveIntegerField("lignes", default=0)
    # One entry per line of the file: its classification on the preview, then its outcome in the report.
    apercu = models.JSONField("aperçu", default=list, blank=True)
    compte_rendu = models.JSONField("compte rendu", default=list, blank=True)
    compteurs = models.JSONField("compteurs", default=dict, blank=True)
    erreur = models.TextField("erreur", blank=True)
    cree_le = models.DateTimeField("déposé le", default=timezone.now, editable=False)
    confirme_le = models.DateTimeField("confirmé le", null=True, blank=True, editable=False)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True, editable=False)
    # The upload form's once-only token: a file sent twice is one import.
    jeton = champ_jeton()
    # The background work (residents.services_import), claimed by compare-and-set as an export.
    mis_en_file_le = models.DateTimeField("confié aux tâches le", null=True, blank=True, editable=False)
    pris_par = models.CharField("pris par", max_length=200, blank=True, editable=False)
    pris_le = models.DateTimeField("pris le", null=True, blank=True, editable=False)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0, editable=False)
    history = HistoricalRecords(
        excluded_fields=["apercu", "compte_rendu", "progression", "pris_par", "pris_le", "mis_en_file_le"]
    )

    objects = ImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import d'allocataires RSA"
        verbose_name_plural = "imports d'allocataires RSA"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progression__lte=100),
                name="import_allocataires_progression_pourcentage",
                violation_error_message="La progression est un pourcentage.",
            )
        ]

    def __str__(self):
        return f"Import {self.nom_fichier} du {timezone.localtime(self.cree_le):%d/%m/%Y %H:%M}"

    @property
    def colonnes_ignorees(self):
        """The file's columns the import does not read (unknown, or set aside on the mapping step)."""
        lues = {int(i) for i in self.correspondance}
        return [e or f"colonne {i + 1} (sans titre)" for i, e in enumerate(self.entetes) if i not in lues]

    @property
    def en_travail(self):
        """Background work waiting or running: the page polls."""
        E = self.Etat
        return self.etat in (E.ANALYSE_EN_ATTENTE, E.ANALYSE_EN_COURS, E.EN_ATTENTE, E.EN_COURS)


class CorrespondanceColonnes(models.Model):
    """The last column mapping a user confirmed: {normalised header: field}, proposed again next time."""

    user = models.OneToOneField(
        "accounts.User", models.CASCADE, related_name="correspondance_colonnes", verbose_name="utilisateur"
    )
    colonnes = models.JSONField("colonnes", default=dict)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "correspondance des colonnes d'import"
        verbose_name_plural = "correspondances des colonnes d'import"

    def __str__(self):
        return f"Colonnes d'import de {self.user}"
