"""Measures (accompagnements), entretiens and rendez-vous, collective actions, objectives."""

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts import acces
from referentiel import bornes
from referentiel.models import Modalite

from .jeton import champ_jeton


def coreference_en_cours(prefix="", le=None):
    """Q object on a co-referent (reached through `prefix`) in place on `le`: started, and not ended.
    The end date is the day the co-referent was removed (retirer_coreferent defaults it to today): from
    that day on, the access is gone."""
    le = le or timezone.localdate()
    return Q(**{f"{prefix}date_debut__lte": le}) & (
        Q(**{f"{prefix}date_fin__isnull": True}) | Q(**{f"{prefix}date_fin__gt": le})
    )


class AccompagnementQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.mesures_visibles(self, user)

    def actifs(self, le=None):
        le = le or timezone.localdate()
        return self.filter(Q(date_fin__isnull=True) | Q(date_fin__gte=le), date_debut__lte=le)

    def de_referent(self, user):
        return self.filter(referent=user)


class Accompagnement(models.Model):
    """One measure: one person, one modality, one référent, from a start to an end."""

    class MotifFin(models.TextChoices):
        OBJECTIFS_ATTEINTS = "OBJECTIFS_ATTEINTS", "objectifs atteints"
        REORIENTATION = "REORIENTATION", "réorientation"
        DEMENAGEMENT = "DEMENAGEMENT", "déménagement"
        FIN_DROITS = "FIN_DROITS", "fin du droit RSA"
        REFUS = "REFUS", "refus de l'accompagnement"
        MANQUEMENT_REGLEMENT = "MANQUEMENT_REGLEMENT", "manquement au règlement de fonctionnement"
        FIN_CONTRAT_JEUNE_MAJEUR = "FIN_CONTRAT_JEUNE_MAJEUR", "suspension ou fin du contrat jeune majeur"
        FIN_PRISE_EN_CHARGE = "FIN_PRISE_EN_CHARGE", "fin de la prise en charge financière du tiers"
        DUREE_MAX = "DUREE_MAX", "durée maximale atteinte"
        SANCTION = "SANCTION", "suspension-remobilisation / sanction"
        DECES = "DECES", "décès"
        AUTRE = "AUTRE", "autre"

    class Destination(models.TextChoices):
        FJT = "FJT", "autre FJT"
        LOCATION_PRIVEE = "LOCATION_PRIVEE", "location dans le parc privé"
        LOCATION_SOCIALE = "LOCATION_SOCIALE", "location dans le parc social"
        RESIDENCE_SOCIALE = "RESIDENCE_SOCIALE", "résidence sociale"
        FAMILLE = "FAMILLE", "retour en famille"
        HEBERGEMENT = "HEBERGEMENT", "hébergement (CHRS, urgence…)"
        MEME_LOGEMENT = "MEME_LOGEMENT", "maintien dans le logement"
        AUTRE = "AUTRE", "autre"
        INCONNUE = "INCONNUE", "inconnue"

    resident = models.ForeignKey(
        "residents.Resident", models.PROTECT, related_name="accompagnements", verbose_name="personne"
    )
    modalite = models.ForeignKey(
        "referentiel.Modalite", models.PROTECT, related_name="accompagnements", verbose_name="modalité"
    )
    referent = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="accompagnements", verbose_name="référent"
    )
    structure = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, related_name="accompagnements", verbose_name="structure"
    )
    date_debut = models.DateField("début", validators=[bornes.SUIVI])
    date_fin = models.DateField("fin", null=True, blank=True, validators=[bornes.SUIVI])
    motif_fin = models.CharField("motif de fin", max_length=30, choices=MotifFin.choices, blank=True)
    destination = models.CharField("destination", max_length=30, choices=Destination.choices, blank=True)
    relais = models.TextField(
        "passage de relais",
        blank=True,
        help_text="Qui prend le relais, ce qui est transmis (avec l'accord de la personne).",
    )
    relais_contact = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mesures_relayees",
        verbose_name="contact partenaire qui prend le relais",
    )
    relais_user = models.ForeignKey(
        "accounts.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mesures_relayees",
        verbose_name="intervenant qui prend le relais",
    )
    conditions_sortie = models.ManyToManyField(
        "referentiel.ConditionSortie",
        through="ConditionSortieRemplie",
        blank=True,
        related_name="+",
        verbose_name="conditions de sortie remplies",
    )
    precedent = models.OneToOneField(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="suivant",
        verbose_name="accompagnement précédent",
        help_text="La mesure que celle-ci prolonge après une réorientation.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = AccompagnementQuerySet.as_manager()

    class Meta:
        verbose_name = "accompagnement"
        ordering = ["-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="accompagnement_fin_apres_debut",
                violation_error_message="La date de fin ne peut pas précéder la date de début.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | ~Q(motif_fin=""),
                name="accompagnement_fin_motivee",
                violation_error_message="Indiquez le motif de fin de l'accompagnement.",
            ),
            models.CheckConstraint(
                condition=Q(relais_contact__isnull=True) | Q(relais_user__isnull=True),
                name="accompagnement_un_seul_relais",
                violation_error_message="Choisissez soit un contact partenaire, soit un intervenant pour le relais.",
            ),
            models.UniqueConstraint(
                fields=["resident", "modalite"],
                condition=Q(date_fin__isnull=True),
                name="accompagnement_un_seul_ouvert_par_modalite",
                violation_error_message="Cette personne a déjà un accompagnement en cours dans cette modalité.",
            ),
        ]
        indexes = [
            models.Index(fields=["referent", "date_fin"]),
            models.Index(fields=["structure", "date_fin"]),
        ]

    def __str__(self):
        return f"{self.resident} – {self.modalite}"

    @property
    def est_actif(self):
        return self.date_fin is None or self.date_fin >= timezone.localdate()

    @property
    def prevoit_un_diagnostic(self):
        """RSA and ASLL measures start with the diagnostic global partagé (référentiel des Vosges: « la
        première évaluation globale … avec le bénéficiaire du RSA ou de l'ASLL »)."""
        return self.modalite.is_rsa or self.modalite.code == Modalite.Code.ASLL


class ConditionSortieRemplie(models.Model):
    """An exit condition of the measure's modality that the person met, ticked when the measure ended.
    PROTECT: a condition once ticked stays readable on the measure (the administrator edits its wording
    rather than deleting it)."""

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="conditions_remplies", verbose_name="accompagnement"
    )
    condition = models.ForeignKey(
        "referentiel.ConditionSortie", models.PROTECT, related_name="+", verbose_name="condition de sortie"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "condition de sortie remplie"
        verbose_name_plural = "conditions de sortie remplies"
        constraints = [models.UniqueConstraint(fields=["accompagnement", "condition"], name="condition_remplie_unique")]

    def __str__(self):
        return str(self.condition)


class CoReferentQuerySet(models.QuerySet):
    def en_cours(self, le=None):
        return self.filter(coreference_en_cours(le=le))


class CoReferent(models.Model):
    """Another intervenant on a measure: a team member or a partner's contact person."""

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="coreferents", verbose_name="accompagnement"
    )
    user = models.ForeignKey(
        "accounts.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="coreferences",
        verbose_name="membre de l'équipe",
    )
    contact = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="coreferences",
        verbose_name="contact partenaire",
    )
    role = models.CharField(
        "rôle", max_length=150, blank=True, help_text="ex. éducatrice ASE, référent du chantier d'insertion"
    )
    date_debut = models.DateField("depuis", default=timezone.localdate, validators=[bornes.SUIVI])
    date_fin = models.DateField("jusqu'au", null=True, blank=True, validators=[bornes.SUIVI])
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = CoReferentQuerySet.as_manager()

    class Meta:
        verbose_name = "co-référent"
        ordering = ["date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(contact__isnull=True),
                name="coreferent_equipe_ou_partenaire",
                violation_error_message="Choisissez soit un membre de l'équipe, soit un contact partenaire.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="coreferent_fin_apres_debut",
                violation_error_message="La date de fin ne peut pas précéder la date de début.",
            ),
        ]

    def __str__(self):
        return str(self.user or self.contact)

    def en_cours_le(self, le):
        """coreference_en_cours() for a row already read: started, and not ended on `le`."""
        return self.date_debut <= le and (self.date_fin is None or self.date_fin > le)


class TypeEntretien(models.TextChoices):
    """Kinds of contact (domain.md §4). Workshops are ActionCollective, not an entretien."""

    BUREAU = "BUREAU", "entretien individuel au bureau"
    VAD = "VAD", "visite à domicile"
    ACCOMPAGNEMENT_DEMARCHE = "ACCOMPAGNEMENT_DEMARCHE", "accompagnement physique à une démarche"
    LIEU_TRAVAIL = "LIEU_TRAVAIL", "entretien sur le lieu de travail ou chez le bailleur"
    TRIPARTITE = "TRIPARTITE", "entretien tripartite, d'admission ou synthèse"
    # RSA (référentiel des Vosges): délégué insertion, référent and person, to recall the rights and duties
    # when the engagements are not kept. Its outcome is recorded (Entretien.issue_rencontre).
    DROITS_DEVOIRS = "DROITS_DEVOIRS", "rencontre tripartite (droits et devoirs)"
    TELEPHONE = "TELEPHONE", "appel téléphonique"
    VISIO = "VISIO", "visioconférence"
    MESSAGE = "MESSAGE", "SMS, courriel, message"


TYPES_PHYSIQUES = [
    TypeEntretien.BUREAU,
    TypeEntretien.VAD,
    TypeEntretien.ACCOMPAGNEMENT_DEMARCHE,
    TypeEntretien.LIEU_TRAVAIL,
    TypeEntretien.TRIPARTITE,
    TypeEntretien.DROITS_DEVOIRS,
]


class EntretienQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.entretiens_visibles(self, user)

    def contacts(self):
        """What counts as a contact: an entretien that took place (an absence is not a contact)."""
        return self.filter(statut=Entretien.Statut.HONORE)

    def rendez_vous(self):
        return self.filter(statut=Entretien.Statut.PLANIFIE)


class IssueRencontre(models.TextChoices):
    """The outcome of a rencontre tripartite (droits et devoirs)."""

    RAPPELES = "RAPPELES", "droits et devoirs rappelés"
    ENGAGEMENT = "ENGAGEMENT", "engagement pris par la personne"
    ABSENCE = "ABSENCE", "absence de la personne"
    AUTRE = "AUTRE", "autre"


class Entretien(models.Model):
    """An entretien or contact; a rendez-vous is an entretien still planned."""

    class Statut(models.TextChoices):
        PLANIFIE = "PLANIFIE", "rendez-vous prévu"
        HONORE = "HONORE", "honoré"
        ABSENT_EXCUSE = "ABSENT_EXCUSE", "absence excusée"
        ABSENT_NON_EXCUSE = "ABSENT_NON_EXCUSE", "absence non excusée"
        ANNULE = "ANNULE", "annulé"

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="entretiens", verbose_name="accompagnement"
    )
    type = models.CharField("type", max_length=30, choices=TypeEntretien.choices)
    physique = models.GeneratedField(
        expression=Case(When(type__in=TYPES_PHYSIQUES, then=Value(True)), default=Value(False)),
        output_field=models.BooleanField(verbose_name="rencontre physique"),
        db_persist=True,
    )
    date_heure = models.DateTimeField("date et heure", default=timezone.now, validators=[bornes.SUIVI])
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    statut = models.CharField("présence", max_length=20, choices=Statut.choices, default=Statut.HONORE)
    lieu = models.CharField("lieu", max_length=200, blank=True)
    auteur = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="entretiens_rediges", verbose_name="saisi par"
    )
    participants = models.ManyToManyField(
        "accounts.User", blank=True, related_name="entretiens", verbose_name="membres de l'équipe présents"
    )
    partenaires = models.ManyToManyField(
        "referentiel.ContactPartenaire",
        blank=True,
        related_name="entretiens",
        verbose_name="partenaires présents",
    )
    objectifs = models.ManyToManyField(
        "accompagnement.Objectif", blank=True, related_name="entretiens", verbose_name="objectifs travaillés"
    )
    notes = models.TextField("notes", blank=True, help_text="La personne peut lire ces notes : écrivez des faits.")
    confidentiel = models.BooleanField("note confidentielle (auteur et référent de la mesure)", default=False)
    # Only a rencontre tripartite (droits et devoirs) has one: services._issue_de_rencontre blanks it for
    # any other kind. Not a CheckConstraint: its validation would cost the référent's most used form three
    # queries (tests/residents/test_vues.py pins them).
    issue_rencontre = models.CharField(
        "issue de la rencontre", max_length=20, choices=IssueRencontre.choices, blank=True
    )
    issue_precisions = models.TextField("précisions sur l'issue", blank=True)
    cree_le = models.DateTimeField("saisi le", auto_now_add=True)
    # Idempotency token of the form that created it: a double submit returns the same entretien.
    jeton = champ_jeton()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["physique"])

    objects = EntretienQuerySet.as_manager()

    class Meta:
        verbose_name = "entretien"
        ordering = ["-date_heure"]
        indexes = [
            models.Index(fields=["accompagnement", "statut", "date_heure"], name="entretien_acc_statut_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duree_minutes__isnull=True) | Q(duree_minutes__lte=24 * 60),
                name="entretien_duree_plausible",
                violation_error_message="La durée d'un entretien ne peut dépasser 24 heures.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – {self.date_heure:%d/%m/%Y}"

    @property
    def est_rendez_vous(self):
        return self.statut == self.Statut.PLANIFIE


class ActionCollectiveQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.ateliers_visibles(self, user)

    def tenues(self):
        """Not cancelled: what counts in the cadence of the collective actions."""
        return self.filter(annulee_le__isnull=True)


class ActionCollective(models.Model):
    """A workshop: each participation counts as a contact for the person, not as a physical meeting."""

    structure = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, related_name="actions_collectives", verbose_name="structure"
    )
    theme = models.CharField("thème", max_length=200)
    date_heure = models.DateTimeField("date et heure", validators=[bornes.SUIVI])
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=120)
    lieu = models.CharField("lieu", max_length=200, blank=True)
    description = models.TextField("description", blank=True)
    animateurs = models.ManyToManyField("accounts.User", related_name="ateliers_animes", verbose_name="animateurs")
    participants = models.ManyToManyField(
        "residents.Resident", through="Participation", related_name="ateliers", verbose_name="participants"
    )
    # Cancelled rather than deleted: its participations go (they are no contact), its history stays.
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True, editable=False)
    annulee_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="annulée par"
    )
    motif_annulation = models.TextField("motif de l'annulation", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = ActionCollectiveQuerySet.as_manager()

    class Meta:
        verbose_name = "action collective"
        verbose_name_plural = "actions collectives"
        ordering = ["-date_heure"]

    def __str__(self):
        return f"{self.theme} – {self.date_heure:%d/%m/%Y}"

    @property
    def est_annulee(self):
        return self.annulee_le is not None


class Participation(models.Model):
    action = models.ForeignKey(ActionCollective, models.CASCADE, related_name="participations")
    resident = models.ForeignKey("residents.Resident", models.CASCADE, related_name="participations")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "participation"
        constraints = [
            models.UniqueConstraint(
                fields=["action", "resident"],
                name="participation_unique",
                violation_error_message="Cette personne participe déjà à cette action.",
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.action}"


class ObjectifQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.par_la_mesure(self, user)

    def en_cours(self):
        return self.filter(etat=Objectif.Etat.EN_COURS)


class Objectif(models.Model):
    class Domaine(models.TextChoices):
        EMPLOI = "EMPLOI", "emploi"
        LOGEMENT = "LOGEMENT", "logement"
        SANTE = "SANTE", "santé"
        BUDGET = "BUDGET", "budget"
        DEMARCHES = "DEMARCHES", "démarches administratives"
        VIE_QUOTIDIENNE = "VIE_QUOTIDIENNE", "vie quotidienne"
        MOBILITE = "MOBILITE", "mobilité"
        FORMATION = "FORMATION", "formation"
        VIE_SOCIALE = "VIE_SOCIALE", "vie sociale"

    class Etat(models.TextChoices):
        EN_COURS = "EN_COURS", "en cours"
        ATTEINT = "ATTEINT", "atteint"
        PARTIELLEMENT_ATTEINT = "PARTIELLEMENT_ATTEINT", "partiellement atteint"
        NON_ATTEINT = "NON_ATTEINT", "non atteint"
        ABANDONNE = "ABANDONNE", "abandonné"

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="objectifs", verbose_name="accompagnement"
    )
    domaine = models.CharField("domaine", max_length=20, choices=Domaine.choices)
    libelle = models.CharField("objectif", max_length=300)
    critere = models.CharField("critère mesurable", max_length=300, blank=True)
    echeance = models.DateField("échéance", null=True, blank=True, validators=[bornes.SUIVI])
    actions = models.TextField("actions prévues", blank=True)
    jeton = champ_jeton()
    etat = models.CharField("état", max_length=30, choices=Etat.choices, default=Etat.EN_COURS)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = ObjectifQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif"
        ordering = ["echeance", "pk"]

    def __str__(self):
        return self.libelle


class EvaluationPartagee(models.Model):
    """An évaluation partagée as a whole (domain.md §7: at the end of a contract, before its renewal; at the
    end of an action; at exit). Each objective's attainment, the skills shown and the person's words about
    it are its EvaluationObjectif rows (`objectifs`); the whole adds what only the whole says: the
    person's cooperation and her satisfaction, in her own words."""

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="evaluations_partagees", verbose_name="accompagnement"
    )
    # The contract whose end is evaluated (the renewal starts from it); none for an exit or an action.
    contrat = models.OneToOneField(
        "contrats.Contrat",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation",
        verbose_name="contrat évalué",
    )
    date = models.DateField("date", default=timezone.localdate, validators=[bornes.SUIVI])
    cooperation = models.TextField(
        "coopération de la personne", help_text="Comment la personne s'est saisie de l'accompagnement et du contrat."
    )
    satisfaction = models.TextField(
        "satisfaction de la personne, en ses propres mots", help_text="Ses mots, tels qu'elle les dit."
    )
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "évaluation partagée"
        verbose_name_plural = "évaluations partagées"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"Évaluation partagée du {self.date:%d/%m/%Y}"


class EvaluationObjectif(models.Model):
    """The shared evaluation of an objective (évaluation partagée): attainment and the person's own words."""

    class Niveau(models.IntegerChoices):
        NON_ATTEINT = 0, "non atteint"
        AMORCE = 1, "amorcé"
        PARTIEL = 2, "partiellement atteint"
        ATTEINT = 3, "atteint"

    objectif = models.ForeignKey(Objectif, models.CASCADE, related_name="evaluations", verbose_name="objectif")
    date = models.DateField("date", default=timezone.localdate, validators=[bornes.SUIVI])
    niveau = models.PositiveSmallIntegerField("niveau d'atteinte", choices=Niveau.choices)
    competences = models.TextField("compétences mobilisées", blank=True)
    parole_personne = models.TextField("en ses propres mots", blank=True)
    commentaire = models.TextField("commentaire du référent", blank=True)
    # Set when the objective was evaluated within a whole évaluation partagée (a contract's end).
    evaluation_partagee = models.ForeignKey(
        EvaluationPartagee,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="objectifs",
        verbose_name="évaluation partagée",
    )
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "évaluation d'objectif"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.objectif} – {self.get_niveau_display()} ({self.date:%d/%m/%Y})"


MESSAGE_PAROLE = "Notez ce que la personne dit de sa situation : le diagnostic se fait avec elle."


class DiagnosticQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.diagnostics_visibles(self, user)


class Diagnostic(models.Model):
    """The diagnostic global partagé: the first evaluation of the whole situation, made WITH the person,
    from which the objectives of the first contract are drawn (référentiel des Vosges: « une première
    rencontre pour élaborer le diagnostic global partagé et établir un contrat d'engagements réciproques »).
    Not the EvaluationPartagee, which looks back on a contract's objectives. A later one (a change of
    situation) is a new row: the earlier ones stay readable."""

    # The situation, domain by domain (one text each, in the order the référent goes through them).
    DOMAINES = ("logement", "sante", "budget", "emploi_formation", "mobilite", "famille", "demarches")

    accompagnement = models.ForeignKey(
        Accompagnement, models.CASCADE, related_name="diagnostics", verbose_name="accompagnement"
    )
    date = models.DateField("date", default=timezone.localdate, validators=[bornes.SUIVI])
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    logement = models.TextField("logement", blank=True)
    sante = models.TextField("santé", blank=True)
    budget = models.TextField("budget", blank=True)
    emploi_formation = models.TextField("emploi et formation", blank=True)
    mobilite = models.TextField("mobilité", blank=True)
    famille = models.TextField("famille", blank=True)
    demarches = models.TextField("démarches administratives", blank=True)
    parole_personne = models.TextField(
        "ce que la personne en dit",
        help_text="Sa lecture de sa situation, ses attentes, en ses propres mots.",
        error_messages={"blank": MESSAGE_PAROLE},
    )
    freins = models.TextField("freins identifiés", blank=True)
    leviers = models.TextField("leviers identifiés", blank=True)
    cree_le = models.DateTimeField("saisi le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic global partagé"
        verbose_name_plural = "diagnostics globaux partagés"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(
                    logement="", sante="", budget="", emploi_formation="", mobilite="", famille="", demarches=""
                ),
                name="diagnostic_au_moins_un_domaine",
                violation_error_message="Décrivez la situation dans au moins un domaine.",
            ),
            models.CheckConstraint(
                condition=~Q(parole_personne=""),
                name="diagnostic_parole_de_la_personne",
                violation_error_message=MESSAGE_PAROLE,
            ),
        ]

    def __str__(self):
        return f"Diagnostic global partagé du {self.date:%d/%m/%Y}"

    def domaines(self):
        """(label, text) of the domains described, for the pages that show it."""
        return [
            (self._meta.get_field(nom).verbose_name, getattr(self, nom)) for nom in self.DOMAINES if getattr(self, nom)
        ]


# --- the RSA orientation: the Département decides, the structure assigns, the référent may ask again ---

# The route each RSA modality belongs to (seed 003: social / socioprofessionnel / emploi – France Travail).
PARCOURS_RSA = {
    "RSA_VEILLE": "social",
    "RSA_MOBILISATION": "social",
    "RSA_SOCIOPRO": "socioprofessionnel",
    "RSA_EMPLOI": "emploi (France Travail)",
}


class DecisionOrientationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.orientations_visibles(self, user)

    def en_vigueur(self):
        """Each person's latest decision (a later one supersedes it)."""
        plus_recente = DecisionOrientation.objects.filter(resident_id=models.OuterRef("resident_id")).order_by(
            "-date_decision", "-pk"
        )
        return self.filter(pk=models.Subquery(plus_recente.values("pk")[:1]))

    def a_affecter(self):
        """In force, towards a structure, no measure opened from it yet: the structure's « à affecter »."""
        return self.en_vigueur().filter(structure__isnull=False, accompagnement__isnull=True)


class DecisionOrientation(models.Model):
    """The Président's orientation of an RSA beneficiary, recorded by the délégué insertion (domain.md §3):
    the modality (hence the route), the organisation that accompanies her and the date. The person's
    current orientation (Resident.orientation, date_orientation) is her latest decision's: the first
    contract's délai and the call-in run from its date. The measure opens from it when the receiving
    structure assigns the référent (`accompagnement`); towards France Travail nothing opens here."""

    resident = models.ForeignKey(
        "residents.Resident", models.PROTECT, related_name="orientations", verbose_name="personne"
    )
    modalite = models.ForeignKey(
        "referentiel.Modalite", models.PROTECT, related_name="+", verbose_name="modalité d'accompagnement"
    )
    structure = models.ForeignKey(
        "referentiel.Structure",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orientations",
        verbose_name="organisme référent",
        help_text="Vide pour une orientation vers France Travail.",
    )
    date_decision = models.DateField("date de la décision", validators=[bornes.SUIVI])
    motif = models.TextField("éléments retenus", blank=True, help_text="Ce qui fonde l'orientation (facultatif).")
    decidee_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="décidée par")
    demande = models.OneToOneField(
        "DemandeReorientation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name="demande de réorientation acceptée",
    )
    accompagnement = models.OneToOneField(
        Accompagnement,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orientation_decidee",
        verbose_name="accompagnement ouvert",
    )
    affectee_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="affectée par"
    )
    affectee_le = models.DateTimeField("affectée le", null=True, blank=True, editable=False)
    cree_le = models.DateTimeField("saisie le", default=timezone.now, editable=False)
    jeton = champ_jeton()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DecisionOrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "décision d'orientation"
        verbose_name_plural = "décisions d'orientation"
        ordering = ["-date_decision", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accompagnement__isnull=True) | Q(structure__isnull=False),
                name="orientation_mesure_dans_une_structure",
                violation_error_message="Une orientation vers France Travail n'ouvre pas d'accompagnement ici.",
            )
        ]

    def __str__(self):
        return f"Orientation {self.modalite.libelle} – {self.date_decision:%d/%m/%Y}"

    @property
    def parcours(self):
        return PARCOURS_RSA.get(self.modalite.code, "")


class DemandeReorientationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.par_la_mesure(self, user)

    def en_attente(self):
        return self.filter(statut=DemandeReorientation.Statut.EN_ATTENTE)


class DemandeReorientation(models.Model):
    """The référent's request to re-orient a person (seed 003: the référent proposes, the Département
    decides). Accepted, it becomes a DecisionOrientation; refused, it keeps the délégué's reason."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "en attente de décision"
        ACCEPTEE = "ACCEPTEE", "acceptée"
        REFUSEE = "REFUSEE", "refusée"

    accompagnement = models.ForeignKey(
        Accompagnement, models.PROTECT, related_name="demandes_reorientation", verbose_name="accompagnement"
    )
    modalite = models.ForeignKey(
        "referentiel.Modalite", models.PROTECT, related_name="+", verbose_name="modalité proposée"
    )
    motif = models.TextField("motif", help_text="Ce qui a changé dans la situation, ce que la personne en dit.")
    demandee_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="demandée par")
    demandee_le = models.DateTimeField("demandée le", default=timezone.now, editable=False)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    decidee_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="décidée par"
    )
    decidee_le = models.DateField("décidée le", null=True, blank=True, validators=[bornes.SUIVI])
    motif_refus = models.TextField("motif du refus", blank=True)
    jeton = champ_jeton()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DemandeReorientationQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de réorientation"
        verbose_name_plural = "demandes de réorientation"
        ordering = ["-demandee_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["accompagnement"],
                condition=Q(statut="EN_ATTENTE"),
                name="reorientation_une_demande_en_attente",
                violation_error_message="Une demande de réorientation attend déjà la décision du délégué.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="REFUSEE") | ~Q(motif_refus=""),
                name="reorientation_refus_motive",
                violation_error_message="Indiquez le motif du refus.",
            ),
            models.CheckConstraint(
                condition=Q(statut="EN_ATTENTE") | Q(decidee_le__isnull=False),
                name="reorientation_decision_datee",
                violation_error_message="Indiquez la date de la décision.",
            ),
        ]

    def __str__(self):
        return f"Demande de réorientation vers {self.modalite.libelle}"
