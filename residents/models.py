"""People accompanied (personnes accompagnées), their household and their consent to sharing."""

from dateutil.relativedelta import relativedelta
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
from accounts import acces
from referentiel import bornes


class ResidentQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.personnes_visibles(self, user)

    def allocataires_rsa(self):
        """The RSA beneficiaries: a right opened or an orientation (their parcours has échéances of its
        own, before any measure: echeances.regles_parcours)."""
        return self.filter(Q(date_ouverture_rsa__isnull=False) | Q(orientation__isnull=False))

    def recherche(self, terme):
        """Name search that ignores case and accents (unaccent is not available: see residents.texte)."""
        from .texte import cle_recherche

        # Each word on its own, so « élodie lefèvre » finds « Lefèvre Élodie ».
        qs = self
        for mot in cle_recherche(terme).split():
            qs = qs.filter(nom_recherche__contains=mot)
        return qs


class Menage(models.Model):
    """A household: the person and, for the RSA, the conjoint who has the same rights and duties."""

    class Meta:
        verbose_name = "ménage"

    history = HistoricalRecords()

    def __str__(self):
        return f"Ménage n°{self.pk}"


class Resident(models.Model):
    class Sexe(models.TextChoices):
        FEMME = "F", "femme"
        HOMME = "H", "homme"
        AUTRE = "A", "autre / non précisé"

    class Nationalite(models.TextChoices):
        FRANCAISE = "FR", "française"
        UE = "UE", "Union européenne"
        HORS_UE = "HORS_UE", "hors Union européenne"

    class SituationFamiliale(models.TextChoices):
        SEUL = "SEUL", "personne seule"
        COUPLE = "COUPLE", "en couple"
        SEPARE = "SEPARE", "séparé·e / divorcé·e"
        VEUF = "VEUF", "veuf·ve"

    class RoleMenage(models.TextChoices):
        DEMANDEUR = "DEMANDEUR", "demandeur"
        CONJOINT = "CONJOINT", "conjoint·e"

    structure = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, related_name="residents", verbose_name="structure"
    )
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    nom_recherche = models.CharField(max_length=250, editable=False, db_index=True)
    date_naissance = models.DateField("date de naissance", validators=[bornes.NAISSANCE])
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices, default=Sexe.AUTRE)
    nationalite = models.CharField("nationalité", max_length=10, choices=Nationalite.choices, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    adresse = models.TextField("adresse", blank=True)
    residence = models.ForeignKey(
        "referentiel.Structure",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="locataires",
        verbose_name="résidence (FJT)",
    )
    logement = models.CharField("logement", max_length=50, blank=True, help_text="Numéro du logement en résidence.")
    menage = models.ForeignKey(
        Menage, models.SET_NULL, null=True, blank=True, related_name="membres", verbose_name="ménage"
    )
    role_menage = models.CharField(
        "place dans le ménage", max_length=10, choices=RoleMenage.choices, default=RoleMenage.DEMANDEUR
    )
    situation_familiale = models.CharField(
        "situation familiale",
        max_length=10,
        choices=SituationFamiliale.choices,
        default=SituationFamiliale.SEUL,
    )
    enfants_a_charge = models.PositiveSmallIntegerField("enfants à charge", default=0)
    situation_administrative = models.CharField("situation administrative", max_length=200, blank=True)
    ressources = models.CharField("ressources", max_length=200, blank=True)
    montant_ressources = models.DecimalField(
        "ressources mensuelles (€)", max_digits=8, decimal_places=2, null=True, blank=True, validators=[bornes.MONTANT]
    )
    # The CAF / MSA number the Département's file gives (residents.imports): the key of an import, so that
    # importing the same file twice changes nothing. Empty for people who do not receive the RSA.
    numero_allocataire = models.CharField("n° allocataire (CAF / MSA)", max_length=20, blank=True)
    date_ouverture_rsa = models.DateField("ouverture du droit RSA", null=True, blank=True, validators=[bornes.SUIVI])
    orientation = models.ForeignKey(
        "referentiel.Modalite",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="orientation RSA",
    )
    date_orientation = models.DateField("date de l'orientation", null=True, blank=True, validators=[bornes.SUIVI])
    date_creation = models.DateTimeField("créé le", default=timezone.now, editable=False)
    # Retention (residents.retention): archived = kept with restricted access and a stated reason;
    # anonymised = identity and free text removed, only what statistics and the law need stays.
    archive_le = models.DateField("archivé le", null=True, blank=True, editable=False)
    motif_archivage = models.CharField("motif de l'archivage", max_length=300, blank=True, editable=False)
    anonymise_le = models.DateField("anonymisé le", null=True, blank=True, editable=False)
    # The first day the daily job found the file past its retention: the préavis runs from then, so that a
    # file whose last contact is years back (a measure closed with an old date) is listed before it goes.
    signale_le = models.DateField("sur le rapport de conservation depuis le", null=True, blank=True, editable=False)
    # Optimistic locking: a save that started from an older version is refused (see residents.services).
    version = models.PositiveIntegerField(default=1, editable=False)
    # The creation form's once-only token (accompagnement.jeton): a person sent twice is created once.
    jeton = champ_jeton()
    history = HistoricalRecords(excluded_fields=["nom_recherche", "signale_le"])

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "personne accompagnée"
        verbose_name_plural = "personnes accompagnées"
        ordering = ["nom", "prenom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_naissance__gt="1900-01-01"),
                name="resident_naissance_plausible",
                violation_error_message="La date de naissance n'est pas plausible.",
            ),
            models.CheckConstraint(
                condition=Q(date_orientation__isnull=True) | Q(orientation__isnull=False),
                name="resident_orientation_datee",
                violation_error_message="Une date d'orientation suppose une orientation.",
            ),
            models.CheckConstraint(
                condition=Q(date_orientation__isnull=True)
                | Q(date_ouverture_rsa__isnull=True)
                | Q(date_orientation__gte=models.F("date_ouverture_rsa")),
                name="resident_orientation_apres_ouverture",
                violation_error_message="L'orientation ne peut précéder l'ouverture du droit RSA.",
            ),
            models.UniqueConstraint(
                fields=["numero_allocataire"],
                condition=~Q(numero_allocataire=""),
                name="resident_numero_allocataire_unique",
                violation_error_message="Ce n° allocataire est déjà celui d'une autre personne.",
            ),
        ]

    def __str__(self):
        return self.nom_affiche(self.prenom, self.nom)

    def save(self, *args, **kwargs):
        from .texte import cle_recherche

        self.nom_recherche = cle_recherche(f"{self.nom} {self.prenom} {self.nom_naissance}")
        super().save(*args, **kwargs)

    @staticmethod
    def nom_affiche(prenom, nom):
        """How a person is named everywhere (also for rows read without the model, as in the digest)."""
        return f"{prenom} {nom}"

    def age(self, le=None):
        le = le or timezone.localdate()
        return relativedelta(le, self.date_naissance).years

    @property
    def est_allocataire_rsa(self):
        """The same test as ResidentQuerySet.allocataires_rsa, on one person."""
        return self.date_ouverture_rsa is not None or self.orientation_id is not None

    @property
    def parent_isole(self):
        return self.enfants_a_charge > 0 and self.situation_familiale != self.SituationFamiliale.COUPLE

    @property
    def conjoint(self):
        if not self.menage_id:
            return None
        return self.menage.membres.exclude(pk=self.pk).filter(role_menage=self.RoleMenage.CONJOINT).first()

    @property
    def autre_membre_du_couple(self):
        """For the dossier's « ménage »: the conjoint of the applicant, and the applicant of the conjoint
        (`conjoint` is the applicant's view, the one a couple's contract is written from)."""
        if not self.menage_id:
            return None
        return self.menage.membres.exclude(pk=self.pk).order_by("role_menage", "pk").first()


class ConsentementQuerySet(models.QuerySet):
    def en_vigueur(self, le=None):
        le = le or timezone.localdate()
        return self.filter(date_consentement__lte=le).filter(Q(date_retrait__isnull=True) | Q(date_retrait__gt=le))

    def pour_contact(self, contact_id):
        return self.filter(tiers__contacts__pk=contact_id)


class Consentement(models.Model):
    """The person's consent to share information with one partner, for one purpose (domain.md §9)."""

    class Categorie(models.TextChoices):
        IDENTITE = "IDENTITE", "identité et coordonnées"
        PRESENCE = "PRESENCE", "présence aux rendez-vous"
        OBJECTIFS = "OBJECTIFS", "objectifs et leur avancement"
        CONTRATS = "CONTRATS", "contrats"
        NOTES = "NOTES", "notes d'entretien (non confidentielles)"

    class Mode(models.TextChoices):
        ECRIT = "ECRIT", "écrit signé"
        ORAL = "ORAL", "oral, noté par le référent"
        NUMERIQUE = "NUMERIQUE", "dans l'application"

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="consentements", verbose_name="personne")
    tiers = models.ForeignKey(
        "referentiel.TiersPartenaire", models.PROTECT, related_name="consentements", verbose_name="partenaire"
    )
    finalite = models.CharField("finalité", max_length=250)
    categories = ArrayField(models.CharField(max_length=20, choices=Categorie.choices), verbose_name="informations")
    date_consentement = models.DateField("recueilli le", default=timezone.localdate, validators=[bornes.SUIVI])
    mode = models.CharField("recueilli", max_length=10, choices=Mode.choices, default=Mode.ECRIT)
    date_retrait = models.DateField("retiré le", null=True, blank=True, validators=[bornes.SUIVI])
    recueilli_par = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name="recueilli par", null=True
    )
    # The form's once-only token (accompagnement.jeton): a consent sent twice is recorded once.
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = ConsentementQuerySet.as_manager()

    class Meta:
        verbose_name = "consentement au partage"
        ordering = ["-date_consentement"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_retrait__isnull=True) | Q(date_retrait__gte=models.F("date_consentement")),
                name="consentement_retrait_apres_recueil",
                violation_error_message="Le retrait ne peut précéder le recueil du consentement.",
            ),
            models.CheckConstraint(
                condition=~Q(categories=[]),
                name="consentement_categories_non_vides",
                violation_error_message="Choisissez au moins une catégorie d'informations partagées.",
            ),
        ]

    def __str__(self):
        return f"{self.resident} → {self.tiers} ({self.finalite})"

    @property
    def en_vigueur(self):
        return self.date_retrait is None or self.date_retrait > timezone.localdate()


class DemandeAcces(models.Model):
    """A person's request to receive her file (right of access): answered within DROIT_ACCES_DELAI."""

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="demandes_acces", verbose_name="personne")
    date_demande = models.DateField("demandé le", default=timezone.localdate, validators=[bornes.SUIVI])
    date_limite = models.DateField("à remettre au plus tard le", validators=[bornes.SUIVI])
    date_remise = models.DateField("remis le", null=True, blank=True, validators=[bornes.SUIVI])
    enregistree_par = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name="enregistrée par"
    )
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande d'accès au dossier"
        verbose_name_plural = "demandes d'accès au dossier"
        ordering = ["-date_demande", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_limite__gte=models.F("date_demande")),
                name="demande_acces_limite_apres_demande",
                violation_error_message="La date limite ne peut précéder la demande.",
            ),
            models.CheckConstraint(
                condition=Q(date_remise__isnull=True) | Q(date_remise__gte=models.F("date_demande")),
                name="demande_acces_remise_apres_demande",
                violation_error_message="La remise ne peut précéder la demande.",
            ),
        ]

    def __str__(self):
        return f"Demande d'accès de {self.resident} du {self.date_demande:%d/%m/%Y}"

    @property
    def en_retard(self):
        return self.date_remise is None and timezone.localdate() > self.date_limite


# The import of the Département's file of new RSA beneficiaries (residents.imports, services_import).
from .models_import import CorrespondanceColonnes, ImportAllocataires  # noqa: E402, F401
