"""Admission of a young person housed under a convention with a tiers partenaire, the follow-up with that
partner and the other intervenants, the end of the stay and the exit (domain.md §8, seeds 002 and 004).

The steps of an application are ordered (Candidature.Etape): a service moves an application one step at a
time (admissions.services), so that a step done out of order is refused with a French message."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
from accounts import acces
from referentiel import bornes


class CandidatureQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.candidatures_visibles(self, user)

    def ouvertes(self):
        return self.filter(statut__in=[Candidature.Statut.EN_COURS, Candidature.Statut.LISTE_ATTENTE])


class Candidature(models.Model):
    class Etape(models.IntegerChoices):
        CANDIDATURE = 1, "candidature et note sociale"
        CONTACT = 2, "contact téléphonique avec le tiers"
        NOTE_DETAILLEE = 3, "note sociale détaillée"
        PREMIERE_RENCONTRE = 4, "première rencontre"
        DECISION = 5, "décision de l'équipe"
        ENTRETIEN_ADMISSION = 6, "entretien d'admission"
        ENTREE = 7, "entrée dans la résidence"

    class Statut(models.TextChoices):
        EN_COURS = "EN_COURS", "en cours"
        LISTE_ATTENTE = "LISTE_ATTENTE", "liste d'attente"
        ADMISE = "ADMISE", "admise"
        REFUSEE = "REFUSEE", "refusée"
        ABANDONNEE = "ABANDONNEE", "abandonnée"

    class Decision(models.TextChoices):
        ACCEPTEE = "ACCEPTEE", "acceptée"
        REFUSEE = "REFUSEE", "refusée"
        LISTE_ATTENTE = "LISTE_ATTENTE", "liste d'attente"

    class Piece(models.TextChoices):
        IDENTITE = "IDENTITE", "pièce d'identité ou titre de séjour"
        SECURITE_SOCIALE = "SECURITE_SOCIALE", "attestation de sécurité sociale"
        RESSOURCES = "RESSOURCES", "justificatifs de ressources"
        PRISE_EN_CHARGE = "PRISE_EN_CHARGE", "décision de prise en charge du tiers"
        ASSURANCE = "ASSURANCE", "attestation d'assurance responsabilité civile"
        PHOTO = "PHOTO", "photo d'identité"

    residence = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, related_name="candidatures", verbose_name="résidence"
    )
    resident = models.ForeignKey(
        "residents.Resident", models.PROTECT, related_name="candidatures", verbose_name="jeune"
    )
    tiers = models.ForeignKey(
        "referentiel.TiersPartenaire", models.PROTECT, related_name="candidatures", verbose_name="tiers partenaire"
    )
    contact_educatif = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        related_name="candidatures_educatives",
        verbose_name="référent éducatif du tiers",
    )
    contact_social = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="candidatures_sociales",
        verbose_name="travailleur social du tiers",
        help_text="Devient co-référent de la mesure à l'admission (à défaut, le référent éducatif).",
    )
    referent = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="candidatures", verbose_name="référent"
    )
    etape = models.PositiveSmallIntegerField("étape", choices=Etape.choices, default=Etape.CANDIDATURE)
    etape_depuis = models.DateField("à cette étape depuis", default=timezone.localdate, validators=[bornes.SUIVI])
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_COURS)
    # 1. application
    date_candidature = models.DateField("reçue le", default=timezone.localdate, validators=[bornes.SUIVI])
    note_sociale = models.TextField("note sociale du référent éducatif", blank=True)
    note_sociale_pdf = models.FileField("note sociale (PDF)", upload_to="admissions/notes/", blank=True)
    conditions_mineur = models.TextField(
        "conditions d'accueil d'un mineur",
        blank=True,
        help_text="Obligatoire avant 18 ans : autorisation, prise en charge, suivi éducatif.",
    )
    # 2. phone contact
    date_contact = models.DateField("contact téléphonique le", null=True, blank=True, validators=[bornes.SUIVI])
    compte_rendu_contact = models.TextField("compte rendu du contact", blank=True)
    # 3. detailed note sociale
    date_note_detaillee = models.DateField("note détaillée le", null=True, blank=True, validators=[bornes.SUIVI])
    autonomie = models.TextField("autonomie", blank=True)
    difficultes = models.TextField("difficultés", blank=True)
    parcours = models.TextField("parcours", blank=True)
    premiers_objectifs = models.TextField("premiers objectifs", blank=True)
    # 4. first meeting
    date_premiere_rencontre = models.DateField(
        "première rencontre le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    pieces = ArrayField(
        models.CharField(max_length=20, choices=Piece.choices), default=list, blank=True, verbose_name="pièces fournies"
    )
    # 5. decision
    decision = models.CharField("décision", max_length=20, choices=Decision.choices, blank=True)
    motif_decision = models.TextField("motif de la décision", blank=True)
    date_decision = models.DateField("décidée le", null=True, blank=True, validators=[bornes.SUIVI])
    decidee_par = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="décidée par"
    )
    tiers_informe_le = models.DateField("tiers informé le", null=True, blank=True, validators=[bornes.SUIVI])
    # 6. admission interview (the measure and the tripartite document are prepared here)
    date_entretien_admission = models.DateField(
        "entretien d'admission le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    fin_prise_en_charge = models.DateField(
        "fin de la prise en charge prévue", null=True, blank=True, validators=[bornes.SUIVI]
    )
    accompagnement = models.OneToOneField(
        "accompagnement.Accompagnement",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="candidature",
        verbose_name="accompagnement",
    )
    contrat_tripartite = models.OneToOneField(
        "contrats.Contrat",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="candidature",
        verbose_name="document tripartite",
    )
    # 7. entry: documents of the loi 2002-2 handed over (the contrat de séjour within the référentiel's délais)
    date_entree = models.DateField("entrée le", null=True, blank=True, validators=[bornes.SUIVI])
    logement = models.CharField("logement attribué", max_length=50, blank=True)
    reglement_remis_le = models.DateField(
        "règlement de fonctionnement remis le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    livret_remis_le = models.DateField(
        "livret d'accueil et charte des droits et libertés remis le",
        null=True,
        blank=True,
        validators=[bornes.SUIVI],
    )
    contrat_sejour_remis_le = models.DateField(
        "contrat de séjour remis le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    contrat_sejour_signe_le = models.DateField(
        "contrat de séjour signé le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    motif_abandon = models.TextField("motif de l'abandon", blank=True)
    cree_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="saisie par")
    cree_le = models.DateTimeField("saisie le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["date_candidature", "pk"]
        constraints = [
            # A double submit, or two people typing the same application, cannot open it twice.
            models.UniqueConstraint(
                fields=["residence", "resident"],
                condition=Q(statut__in=["EN_COURS", "LISTE_ATTENTE"]),
                name="candidature_une_seule_ouverte",
                violation_error_message="Une candidature de cette personne est déjà en cours dans cette résidence.",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(motif_decision=""),
                name="candidature_decision_motivee",
                violation_error_message="Une décision doit être motivée.",
            ),
            models.CheckConstraint(
                condition=Q(etape__lt=7) | Q(contrat_tripartite__isnull=False, date_entree__isnull=False),
                name="candidature_entree_avec_tripartite",
                violation_error_message="L'entrée suppose un document tripartite signé.",
            ),
        ]
        indexes = [models.Index(fields=["residence", "statut", "etape"])]

    def __str__(self):
        return f"Candidature de {self.resident} – {self.residence}"

    def age_jours(self, le=None):
        return ((le or timezone.localdate()) - self.date_candidature).days

    def jours_a_l_etape(self, le=None):
        return ((le or timezone.localdate()) - self.etape_depuis).days

    @property
    def libelles_pieces(self):
        return [self.Piece(p).label for p in self.pieces]

    @property
    def contact_coreferent(self):
        return self.contact_social or self.contact_educatif

    @property
    def ouverte(self):
        return self.statut in (self.Statut.EN_COURS, self.Statut.LISTE_ATTENTE)


class GarantieTiers(models.Model):
    """A guarantee the tiers gives for the stay, checked at the first meeting; its end is watched by the
    échéance engine (GARANTIE_PREAVIS before it)."""

    class Type(models.TextChoices):
        LOYER = "LOYER", "paiement du loyer"
        ACCOMPAGNEMENT = "ACCOMPAGNEMENT", "accompagnement éducatif"
        RESPONSABILITE_CIVILE = "RESPONSABILITE_CIVILE", "assurance responsabilité civile"

    candidature = models.ForeignKey(Candidature, models.CASCADE, related_name="garanties", verbose_name="candidature")
    type = models.CharField("garantie", max_length=30, choices=Type.choices)
    precisions = models.CharField("précisions", max_length=250, blank=True, help_text="organisme, n° de contrat…")
    date_fin = models.DateField("jusqu'au", validators=[bornes.SUIVI])
    verifiee_le = models.DateField("vérifiée le", default=timezone.localdate, validators=[bornes.SUIVI])
    history = HistoricalRecords()

    class Meta:
        verbose_name = "garantie du tiers"
        verbose_name_plural = "garanties du tiers"
        ordering = ["type"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "type"],
                name="garantie_une_par_type",
                violation_error_message="Cette garantie est déjà enregistrée : modifiez sa date de fin.",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} jusqu'au {self.date_fin:%d/%m/%Y}"


class MesureQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.suivi_admission_visible(self, user)


class SyntheseQuerySet(MesureQuerySet):
    def visibles_par(self, user):
        return acces.syntheses_visibles(self, user)


class Synthese(models.Model):
    """A regular synthèse between the résidence's référent and the tiers on the project's progress."""

    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement", models.CASCADE, related_name="syntheses", verbose_name="accompagnement"
    )
    contact = models.ForeignKey(
        "referentiel.ContactPartenaire", models.PROTECT, related_name="syntheses", verbose_name="tiers"
    )
    date_prevue = models.DateField("prévue le", validators=[bornes.SUIVI])
    tenue_le = models.DateField("tenue le", null=True, blank=True, validators=[bornes.SUIVI])
    participants = models.TextField("participants", blank=True)
    bilan = models.TextField(
        "bilan de l'avancée du projet", blank=True, help_text="La personne peut le lire : écrivez des faits."
    )
    transmise_le = models.DateField("transmise au tiers le", null=True, blank=True, validators=[bornes.SUIVI])
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = SyntheseQuerySet.as_manager()

    class Meta:
        verbose_name = "synthèse avec le tiers"
        verbose_name_plural = "synthèses avec le tiers"
        ordering = ["-date_prevue", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tenue_le__isnull=True) | ~Q(bilan=""),
                name="synthese_tenue_avec_bilan",
                violation_error_message="Une synthèse tenue comporte un bilan écrit.",
            )
        ]

    def __str__(self):
        return f"Synthèse du {(self.tenue_le or self.date_prevue):%d/%m/%Y}"


class ReunionCoordination(models.Model):
    """A coordination meeting of the partners around one person (seed 004): who came, what was decided."""

    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement",
        models.CASCADE,
        related_name="reunions_coordination",
        verbose_name="accompagnement",
    )
    date = models.DateField("date", validators=[bornes.SUIVI])
    intervenants = models.ManyToManyField(
        "accompagnement.CoReferent", blank=True, related_name="reunions", verbose_name="intervenants présents"
    )
    autres_participants = models.TextField("autres participants", blank=True)
    decisions = models.TextField("décisions")
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    jeton = champ_jeton()
    history = HistoricalRecords(m2m_fields=[intervenants])

    objects = MesureQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion de coordination"
        verbose_name_plural = "réunions de coordination"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decisions=""),
                name="reunion_avec_decisions",
                violation_error_message="Notez les décisions de la réunion.",
            )
        ]

    def __str__(self):
        return f"Réunion de coordination du {self.date:%d/%m/%Y}"


class Logement(models.Model):
    """Housing by sub-letting or bail glissant; the planned transfer of the lease becomes an échéance."""

    class Mode(models.TextChoices):
        SOUS_LOCATION = "SOUS_LOCATION", "sous-location"
        BAIL_GLISSANT = "BAIL_GLISSANT", "bail glissant"

    accompagnement = models.ForeignKey(
        "accompagnement.Accompagnement", models.CASCADE, related_name="logements", verbose_name="accompagnement"
    )
    mode = models.CharField("mode", max_length=20, choices=Mode.choices)
    bailleur = models.ForeignKey(
        "referentiel.TiersPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="logements",
        verbose_name="bailleur",
    )
    adresse = models.TextField("adresse", blank=True)
    date_debut = models.DateField("entrée dans le logement", validators=[bornes.SUIVI])
    glissement_prevu_le = models.DateField(
        "glissement du bail prévu le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    glissement_fait_le = models.DateField("bail glissé le", null=True, blank=True, validators=[bornes.SUIVI])
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = MesureQuerySet.as_manager()

    class Meta:
        verbose_name = "logement accompagné"
        verbose_name_plural = "logements accompagnés"
        ordering = ["-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="BAIL_GLISSANT") | Q(glissement_prevu_le__isnull=False),
                name="logement_glissement_date",
                violation_error_message="Un bail glissant a une date de glissement prévue.",
            ),
            models.CheckConstraint(
                condition=Q(glissement_prevu_le__isnull=True) | Q(glissement_prevu_le__gte=models.F("date_debut")),
                name="logement_glissement_apres_entree",
                violation_error_message="Le glissement du bail ne peut précéder l'entrée dans le logement.",
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} depuis le {self.date_debut:%d/%m/%Y}"


class FinDePriseEnCharge(models.Model):
    """End of the stay decided by the résidence's responsable with the tiers, for a reason of seed 002."""

    class Motif(models.TextChoices):
        MANQUEMENT_REGLEMENT = "MANQUEMENT_REGLEMENT", "manquement au règlement de fonctionnement"
        FIN_CONTRAT_JEUNE_MAJEUR = "FIN_CONTRAT_JEUNE_MAJEUR", "suspension ou fin du contrat jeune majeur"
        FIN_PRISE_EN_CHARGE = "FIN_PRISE_EN_CHARGE", "fin de la prise en charge financière du tiers"
        REFUS = "REFUS", "refus de l'accompagnement"

    accompagnement = models.OneToOneField(
        "accompagnement.Accompagnement",
        models.CASCADE,
        related_name="fin_prise_en_charge",
        verbose_name="accompagnement",
    )
    motif = models.CharField("motif", max_length=30, choices=Motif.choices)
    explications = models.TextField("explications")
    decidee_le = models.DateField("décidée le", validators=[bornes.SUIVI])
    date_effet = models.DateField(
        "fin du séjour le", help_text="Le préavis court de la décision à cette date.", validators=[bornes.SUIVI]
    )
    tiers_informe_le = models.DateField("tiers informé le", validators=[bornes.SUIVI])
    decidee_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="décidée par")
    history = HistoricalRecords()

    objects = MesureQuerySet.as_manager()

    class Meta:
        verbose_name = "fin de prise en charge"
        verbose_name_plural = "fins de prise en charge"
        constraints = [
            models.CheckConstraint(
                condition=Q(date_effet__gte=models.F("decidee_le")),
                name="fin_effet_apres_decision",
                violation_error_message="La fin du séjour ne peut précéder la décision.",
            )
        ]

    def __str__(self):
        return f"Fin de prise en charge : {self.get_motif_display()}"

    @property
    def preavis_jours(self):
        return (self.date_effet - self.decidee_le).days


class PassageRelais(models.Model):
    """The hand-over at exit (seed 004): who takes over, what is transmitted with the person's consent, when."""

    accompagnement = models.OneToOneField(
        "accompagnement.Accompagnement", models.CASCADE, related_name="passage_relais", verbose_name="accompagnement"
    )
    repreneur = models.CharField("qui prend le relais", max_length=250)
    contact = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="relais",
        verbose_name="contact partenaire",
    )
    elements_transmis = models.TextField("ce qui est transmis", blank=True)
    accord_personne = models.BooleanField("la personne a donné son accord à cette transmission", default=False)
    date_relais = models.DateField("relais le", validators=[bornes.SUIVI])
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    history = HistoricalRecords()

    objects = MesureQuerySet.as_manager()

    class Meta:
        verbose_name = "passage de relais"
        verbose_name_plural = "passages de relais"
        constraints = [
            models.CheckConstraint(
                condition=Q(elements_transmis="") | Q(accord_personne=True),
                name="relais_transmission_consentie",
                violation_error_message="Rien n'est transmis sans l'accord de la personne.",
            )
        ]

    def __str__(self):
        return f"Relais vers {self.repreneur} le {self.date_relais:%d/%m/%Y}"
