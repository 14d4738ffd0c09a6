"""The rules as data (domain.md §3) and the organisations that hold the files."""

import datetime

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .delais import libelle_delai, valider_delai


def date_du_parametre(valeur):
    """A DATE parameter's value (AAAA-MM-JJ) as a date; ValueError otherwise."""
    return datetime.datetime.strptime(valeur.strip(), "%Y-%m-%d").date()


class Departement(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class Territoire(models.Model):
    departement = models.ForeignKey(Departement, models.PROTECT, related_name="territoires", verbose_name="département")
    nom = models.CharField("nom", max_length=100)
    accompagnement_renove = models.BooleanField(
        "accompagnement rénové des allocataires du RSA",
        default=False,
        help_text="Territoire expérimentateur : la personne orientée est convoquée dans le délai de convocation.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "territoire"
        ordering = ["departement__code", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "nom"],
                name="territoire_nom_unique",
                violation_error_message="Ce territoire existe déjà dans ce département.",
            )
        ]

    def __str__(self):
        return self.nom


class Structure(models.Model):
    class Type(models.TextChoices):
        FJT = "FJT", "résidence FJT / Habitat Jeunes"
        ASSOCIATION = "ASSOCIATION", "association"
        MSVS = "MSVS", "Maison de la solidarité (MSVS)"
        SERVICE_CD = "SERVICE_CD", "service du Conseil départemental"

    nom = models.CharField("nom", max_length=200, unique=True)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    numero_convention = models.CharField(
        "n° de convention",
        max_length=50,
        blank=True,
        help_text="Numéro de la convention avec le Département (bilan annuel RSA) ; à défaut, le bilan montre le nom.",
    )
    territoire = models.ForeignKey(Territoire, models.PROTECT, related_name="structures", verbose_name="territoire")
    adresse = models.TextField("adresse", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    logo = models.FileField("logo", upload_to="logos/", blank=True)
    responsable_voit_notes_confidentielles = models.BooleanField(
        "le responsable lit les notes confidentielles",
        default=False,
        help_text="Si coché, le responsable de structure peut lire les notes marquées confidentielles.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class TiersPartenaire(models.Model):
    class Type(models.TextChoices):
        ASE = "ASE", "Aide sociale à l'enfance (ASE)"
        PJJ = "PJJ", "Protection judiciaire de la jeunesse (PJJ)"
        MISSION_LOCALE = "MISSION_LOCALE", "Mission Locale"
        PRESCRIPTEUR = "PRESCRIPTEUR", "service social prescripteur"
        CHANTIER = "CHANTIER", "chantier d'insertion"
        BAILLEUR = "BAILLEUR", "bailleur"
        FRANCE_TRAVAIL = "FRANCE_TRAVAIL", "France Travail"
        AUTRE = "AUTRE", "autre"

    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    territoire = models.ForeignKey(
        Territoire, models.PROTECT, null=True, blank=True, related_name="tiers", verbose_name="territoire"
    )
    adresse = models.TextField("adresse", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tiers partenaire"
        verbose_name_plural = "tiers partenaires"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class ContactPartenaire(models.Model):
    tiers = models.ForeignKey(TiersPartenaire, models.CASCADE, related_name="contacts", verbose_name="tiers partenaire")
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField("nom", max_length=100)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contact partenaire"
        ordering = ["nom", "prenom"]

    def __str__(self):
        return f"{self.prenom} {self.nom} ({self.tiers})"


class TypeContrat(models.TextChoices):
    COM = "COM", "Contrat d'Objectif Mensuel (COM)"
    CER = "CER", "Contrat d'Engagements Réciproques (CER)"
    CONTRAT_ENGAGEMENT = "CONTRAT_ENGAGEMENT", "contrat d'engagement"
    PLAN_ASLL = "PLAN_ASLL", "plan d'actions ASLL"
    TRIPARTITE = "TRIPARTITE", "document tripartite d'admission"
    PROJET = "PROJET", "projet personnalisé"


class Champ(models.TextChoices):
    FJT = "FJT", "FJT / Habitat Jeunes"
    INSERTION = "INSERTION", "insertion (RSA)"
    LOGEMENT = "LOGEMENT", "logement"
    LOGEMENT_EMPLOI = "LOGEMENT_EMPLOI", "logement et emploi"


class ValeursModalite(models.Model):
    """The numbers a modality carries; shared by the national row and its local overrides."""

    type_contrat = models.CharField("contrat", max_length=20, choices=TypeContrat.choices, blank=True)
    duree_contrat = models.CharField(
        "durée du contrat",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P6M = 6 mois",
    )
    renouvellements_max = models.PositiveSmallIntegerField("renouvellements au plus", null=True, blank=True)
    intervalle_contact = models.CharField(
        "contact au moins tous les",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P15D",
    )
    intervalle_rencontre = models.CharField(
        "rencontre physique au moins tous les",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P6W = 6 semaines",
    )
    # « Very frequent meetings at first, then spaced » (seeds 002, 004): for `phase_initiale_duree` from the
    # start of the measure, these intervals replace the ones above (an empty one keeps it).
    phase_initiale_duree = models.CharField(
        "phase de début : durée",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P2M : les 2 premiers mois de la mesure",
    )
    phase_initiale_contact = models.CharField(
        "phase de début : contact au moins tous les",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P7D",
    )
    phase_initiale_rencontre = models.CharField(
        "phase de début : rencontre physique au moins tous les",
        max_length=20,
        blank=True,
        validators=[valider_delai],
        help_text="ex. P1W = chaque semaine",
    )
    norme_file_active = models.PositiveIntegerField("file active par référent à temps plein", null=True, blank=True)
    age_min = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True)

    class Meta:
        abstract = True

    def valeurs_lisibles(self):
        """[(label, value as read)] of the values this row sets (an empty one keeps the level below)."""
        lignes = []
        for champ in ValeursModalite._meta.get_fields():
            valeur = getattr(self, champ.name)
            if valeur in (None, ""):
                continue
            if champ.choices:
                valeur = getattr(self, f"get_{champ.name}_display")()
            elif valider_delai in champ.validators:
                valeur = libelle_delai(valeur)
            lignes.append((champ.verbose_name, valeur))
        return lignes


class ModaliteQuerySet(models.QuerySet):
    def offertes_par(self, *types):
        """The modalities a structure of one of these kinds may open (`types_structure`)."""
        return self.filter(types_structure__overlap=list(types))


class Modalite(ValeursModalite):
    """One modality of accompaniment with its national values (domain.md §3)."""

    class Code(models.TextChoices):
        FJT_REGULIER = "FJT_REGULIER", "FJT – accompagnement régulier"
        FJT_PONCTUEL = "FJT_PONCTUEL", "FJT – accompagnement ponctuel"
        FJT_CONVENTION = "FJT_CONVENTION", "FJT – public sous convention"
        RSA_VEILLE = "RSA_VEILLE", "RSA – veille"
        RSA_MOBILISATION = "RSA_MOBILISATION", "RSA – mobilisation sociale"
        RSA_SOCIOPRO = "RSA_SOCIOPRO", "RSA – accompagnement socioprofessionnel"
        RSA_EMPLOI = "RSA_EMPLOI", "RSA – emploi (France Travail)"
        ASLL = "ASLL", "ASLL – accompagnement social lié au logement"
        GLOBAL = "GLOBAL", "accompagnement global coordonné"

    code = models.CharField("code", max_length=30, unique=True, choices=Code.choices)
    libelle = models.CharField("libellé", max_length=150)
    champ = models.CharField("champ", max_length=20, choices=Champ.choices)
    accompagnee_ici = models.BooleanField(
        "accompagnée dans l'application",
        default=True,
        help_text="Non pour l'orientation emploi (France Travail).",
    )
    exclut_parent_isole = models.BooleanField("exclut les familles monoparentales", default=False)
    exclut_nouvel_entrant = models.BooleanField("exclut les nouveaux entrants", default=False)
    source = models.CharField(
        "source des valeurs d'origine",
        max_length=200,
        blank=True,
        help_text="Le texte d'où viennent ces valeurs ; une valeur changée ensuite a sa propre version datée.",
    )
    types_structure = ArrayField(
        models.CharField(max_length=20, choices=Structure.Type.choices),
        verbose_name="types de structure qui la proposent",
        default=list,
        blank=True,
        help_text="Une mesure de cette modalité ne s'ouvre que dans une structure de l'un de ces types "
        "(FJT, ASSOCIATION, MSVS, SERVICE_CD).",
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    objects = ModaliteQuerySet.as_manager()

    class Meta:
        verbose_name = "modalité"
        ordering = ["ordre", "libelle"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_min__lte=models.F("age_max")),
                name="modalite_ages_coherents",
                violation_error_message="L'âge minimum doit être inférieur à l'âge maximum.",
            )
        ]

    def __str__(self):
        return self.libelle

    @property
    def is_rsa(self):
        return self.champ == Champ.INSERTION

    def proposee_par(self, structure):
        return structure.type in self.types_structure


class VersionQuerySet(models.QuerySet):
    def en_vigueur_ou_passees(self, le=None):
        """Versions that apply or applied on or before `le` (today by default): they are never edited,
        only superseded by a later one (an edit would change the past the engine computed)."""
        le = le or timezone.localdate()
        return self.filter(Q(en_vigueur_le__isnull=True) | Q(en_vigueur_le__lte=le))


class Version(models.Model):
    """A value of the référentiel applies from `en_vigueur_le` (empty: since the beginning) until the next
    version of the same rule at the same level (national, département, territory) takes over."""

    en_vigueur_le = models.DateField(
        "en vigueur à partir du",
        null=True,
        blank=True,
        help_text="Vide : depuis l'origine. Une version d'une date future est « à venir ».",
    )
    source = models.CharField("source", max_length=200, blank=True, help_text="ex. référentiel des Vosges 2027")

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def niveau(self):
        return self.territoire or self.departement or "national"

    def statut(self, le=None, suivante=None):
        """« à venir », « en vigueur » or « remplacée » on `le`; `suivante` is the next version of the same
        rule at the same level, if any."""
        le = le or timezone.localdate()
        if self.en_vigueur_le and self.en_vigueur_le > le:
            return "à venir"
        if suivante and suivante.en_vigueur_le and suivante.en_vigueur_le <= le:
            return "remplacée"
        return "en vigueur"

    def modifiable(self, le=None):
        return bool(self.en_vigueur_le and self.en_vigueur_le > (le or timezone.localdate()))


class SurchargeModalite(Version, ValeursModalite):
    """A dated version of a modality's values, national or for a département or a territory: an empty field
    keeps the value of the level below (territory → département → national version → the modality's own
    values). At one level, the version in force on a day replaces the earlier ones entirely."""

    modalite = models.ForeignKey(Modalite, models.CASCADE, related_name="surcharges", verbose_name="modalité")
    departement = models.ForeignKey(Departement, models.CASCADE, null=True, blank=True, verbose_name="département")
    territoire = models.ForeignKey(Territoire, models.CASCADE, null=True, blank=True, verbose_name="territoire")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "version des valeurs d'une modalité"
        verbose_name_plural = "versions des valeurs des modalités"
        constraints = [
            models.CheckConstraint(
                condition=~(Q(departement__isnull=False) & Q(territoire__isnull=False)),
                name="surcharge_un_seul_niveau",
                violation_error_message="Choisissez soit un département, soit un territoire, pas les deux.",
            ),
            models.UniqueConstraint(
                fields=["modalite", "departement", "territoire", "en_vigueur_le"],
                nulls_distinct=False,
                name="surcharge_unique",
                violation_error_message="Cette modalité a déjà une version à ce niveau à cette date.",
            ),
        ]

    def __str__(self):
        return f"{self.modalite} – {self.niveau}{_depuis(self.en_vigueur_le)}"


def _depuis(jour):
    return f" – à partir du {jour:%d/%m/%Y}" if jour else ""


class Parametre(Version):
    """A number of the référentiel that belongs to no single modality (domain.md §3 « Other numbers », §6, §10),
    in dated versions like the modalities' values."""

    class Code(models.TextChoices):
        ORIENTATION_RSA_DELAI = "ORIENTATION_RSA_DELAI", "orientation après ouverture du droit RSA"
        CER_SIGNATURE_DELAI = "CER_SIGNATURE_DELAI", "signature du CER après l'orientation"
        CONTRAT_ENGAGEMENT_SIGNATURE_DELAI = (
            "CONTRAT_ENGAGEMENT_SIGNATURE_DELAI",
            "signature du contrat d'engagement après l'orientation",
        )
        RENOUVELLEMENT_PREAVIS = (
            "RENOUVELLEMENT_PREAVIS",
            "préparation du renouvellement avant la fin du contrat",
        )
        VALIDATION_ATTENTE_MAX = "VALIDATION_ATTENTE_MAX", "attente de validation au plus"
        BIENTOT_DU = "BIENTOT_DU", "« bientôt dû » dans les"
        ABSENCES_SUCCESSIVES = "ABSENCES_SUCCESSIVES", "absences non excusées successives avant signalement"
        ATELIER_PARTICIPANTS_MIN = "ATELIER_PARTICIPANTS_MIN", "participants au moins par action collective"
        ATELIER_PARTICIPANTS_MAX = "ATELIER_PARTICIPANTS_MAX", "participants attendus au plus par action collective"
        ATELIERS_PAR_MOIS_MIN = "ATELIERS_PAR_MOIS_MIN", "actions collectives par mois, au moins"
        ATELIERS_PAR_MOIS_MAX = "ATELIERS_PAR_MOIS_MAX", "actions collectives par mois, au plus"
        ACTIVITE_HEBDO_HEURES = (
            "ACTIVITE_HEBDO_HEURES",
            "heures d'activité par semaine (contrat d'engagement)",
        )
        NOUVEL_ENTRANT_DUREE = "NOUVEL_ENTRANT_DUREE", "nouvel entrant : droit RSA ouvert depuis moins de"
        FJT_AGE_ALERTE = "FJT_AGE_ALERTE", "FJT : avertissement au-delà de l'âge de"
        CONTRAT_SEJOUR_REMISE = "CONTRAT_SEJOUR_REMISE", "contrat de séjour remis après l'admission"
        CONTRAT_SEJOUR_SIGNATURE = "CONTRAT_SEJOUR_SIGNATURE", "contrat de séjour signé après l'admission"
        PROJET_PERSONNALISE_DELAI = (
            "PROJET_PERSONNALISE_DELAI",
            "objectifs du projet personnalisé après l'admission",
        )
        GARANTIE_PREAVIS = "GARANTIE_PREAVIS", "alerte avant la fin d'une garantie du tiers"
        AGE_SORTIE_PREAVIS = "AGE_SORTIE_PREAVIS", "alerte avant la sortie de la tranche d'âge de la modalité"
        FIN_SEJOUR_PREAVIS = "FIN_SEJOUR_PREAVIS", "préavis d'une fin de séjour décidée par la résidence"
        CONSERVATION_DOSSIER = "CONSERVATION_DOSSIER", "dossier actif après le dernier contact"
        CONSERVATION_JOURNAL = "CONSERVATION_JOURNAL", "conservation du journal des accès"
        DROIT_ACCES_DELAI = "DROIT_ACCES_DELAI", "réponse à une demande d'accès au dossier"
        CER_REMPLACEMENT_AVANT = (
            "CER_REMPLACEMENT_AVANT",
            "CER remplacés par des contrats d'engagement au plus tard le",
        )
        CONVOCATION_DELAI = "CONVOCATION_DELAI", "accompagnement rénové : convocation après l'orientation"
        REORIENTATION_REPONSE_DELAI = (
            "REORIENTATION_REPONSE_DELAI",
            "réponse du délégué à une demande de réorientation",
        )
        SANCTION_OBSERVATIONS_DELAI = (
            "SANCTION_OBSERVATIONS_DELAI",
            "sanction : observations de la personne après l'avoir informée",
        )
        SANCTION_DECISION_DELAI = (
            "SANCTION_DECISION_DELAI",
            "sanction : avis de l'équipe pluridisciplinaire et décision après le délai d'observations",
        )
        SUSPENSION_TAUX_MIN = "SUSPENSION_TAUX_MIN", "suspension-remobilisation : part suspendue au moins (%)"
        SUSPENSION_TAUX_MAX = "SUSPENSION_TAUX_MAX", "suspension-remobilisation : part suspendue au plus (%)"
        SUSPENSION_DUREE_MAX = "SUSPENSION_DUREE_MAX", "suspension-remobilisation : durée au plus (mois)"
        CONTRAT_ENGAGEMENT_DEPUIS = (
            "CONTRAT_ENGAGEMENT_DEPUIS",
            "contrat d'engagement (et non plus CER) pour les orientations décidées à partir du",
        )

    class Nature(models.TextChoices):
        DELAI = "DELAI", "délai"
        NOMBRE = "NOMBRE", "nombre"
        DATE = "DATE", "date"

    code = models.CharField("code", max_length=40, choices=Code.choices)
    nature = models.CharField("nature", max_length=10, choices=Nature.choices)
    valeur = models.CharField(
        "valeur", max_length=20, help_text="Délai : P15D, P6W, P1M, P1Y. Nombre : 15. Date : 2027-01-01."
    )
    departement = models.ForeignKey(Departement, models.CASCADE, null=True, blank=True, verbose_name="département")
    territoire = models.ForeignKey(Territoire, models.CASCADE, null=True, blank=True, verbose_name="territoire")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "paramètre"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(departement__isnull=False) & Q(territoire__isnull=False)),
                name="parametre_un_seul_niveau",
                violation_error_message="Choisissez soit un département, soit un territoire, pas les deux.",
            ),
            models.UniqueConstraint(
                fields=["code", "departement", "territoire", "en_vigueur_le"],
                nulls_distinct=False,
                name="parametre_unique",
                violation_error_message="Ce paramètre a déjà une version à ce niveau à cette date.",
            ),
        ]

    def __str__(self):
        return f"{self.get_code_display()} : {self.libelle_valeur()}{_depuis(self.en_vigueur_le)}"

    def libelle_valeur(self):
        if self.nature == self.Nature.DELAI:
            return libelle_delai(self.valeur)
        if self.nature == self.Nature.DATE:
            try:
                return f"{date_du_parametre(self.valeur):%d/%m/%Y}"
            except ValueError:
                return self.valeur
        return self.valeur

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.nature == self.Nature.DELAI:
            valider_delai(self.valeur)
        elif self.nature == self.Nature.DATE:
            try:
                date_du_parametre(self.valeur)
            except ValueError:
                raise ValidationError({"valeur": "Une date est attendue, écrite AAAA-MM-JJ (2027-01-01)."}) from None
        elif not self.valeur.isdigit():
            raise ValidationError({"valeur": "Un nombre entier est attendu."})


class ConditionSortie(models.Model):
    """One of a modality's exit conditions (seed 003, « Conditions de sortie »): at the end of a measure,
    the référent ticks those the person meets (accompagnement.Accompagnement.conditions_sortie)."""

    modalite = models.ForeignKey(Modalite, models.CASCADE, related_name="conditions_sortie", verbose_name="modalité")
    libelle = models.CharField("libellé", max_length=300)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "condition de sortie"
        verbose_name_plural = "conditions de sortie"
        ordering = ["modalite__ordre", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["modalite", "libelle"],
                name="condition_sortie_unique",
                violation_error_message="Cette condition de sortie existe déjà pour cette modalité.",
            )
        ]

    def __str__(self):
        return self.libelle
