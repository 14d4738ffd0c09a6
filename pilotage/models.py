"""Follow-up committees (comités de suivi), their decisions, and background exports (domain.md §7)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
from accompagnement.models import Accompagnement
from accounts import acces
from referentiel import bornes
from referentiel.models import Modalite


class ComiteQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return acces.comites_visibles(self, user)


class ComiteSuivi(models.Model):
    class Type(models.TextChoices):
        TRIMESTRIEL_RSA = "TRIMESTRIEL_RSA", "comité de suivi trimestriel RSA"
        MENSUEL_ASLL = "MENSUEL_ASLL", "comité de suivi mensuel ASLL"

    class Etat(models.TextChoices):
        OUVERT = "OUVERT", "ouvert"
        CLOS = "CLOS", "clos"

    type = models.CharField("type", max_length=20, choices=Type.choices)
    date = models.DateField("date du comité", validators=[bornes.SUIVI])
    referent = models.ForeignKey("accounts.User", models.PROTECT, related_name="comites_suivi", verbose_name="référent")
    territoire = models.ForeignKey(
        "referentiel.Territoire", models.PROTECT, related_name="comites_suivi", verbose_name="territoire"
    )
    president = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="présidé par")
    compte_rendu = models.TextField("compte rendu", blank=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.OUVERT)
    cree_le = models.DateTimeField("créé le", default=timezone.now, editable=False)
    clos_le = models.DateTimeField("clos le", null=True, blank=True, validators=[bornes.SUIVI])
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = ComiteQuerySet.as_manager()

    class Meta:
        verbose_name = "comité de suivi"
        verbose_name_plural = "comités de suivi"
        ordering = ["-date", "-pk"]
        constraints = [
            # One committee per référent, kind and day: a double submit finds the existing one.
            models.UniqueConstraint(
                fields=["type", "referent", "date"],
                name="comite_unique_par_jour",
                violation_error_message="Un comité de ce type existe déjà pour ce référent à cette date.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – {self.referent} – {self.date:%d/%m/%Y}"

    @property
    def est_ouvert(self):
        return self.etat == self.Etat.OUVERT

    @property
    def champs_modalites(self):
        """The fields of the modalities a re-orientation decided here may aim at."""
        return ["INSERTION"] if self.type == self.Type.TRIMESTRIEL_RSA else ["LOGEMENT", "LOGEMENT_EMPLOI"]

    @property
    def filtre_mesures(self):
        return self.filtre_du_type(self.type)

    @classmethod
    def filtre_du_type(cls, type, prefixe=""):
        """The measures a committee of this kind reviews: the RSA ones for the quarterly committee; for
        the monthly one, the ASLL measures only (domain.md §7: the plan d'actions ASLL, measure by
        measure), not the accompagnement global coordonné that shares the conseillère's field.
        `prefixe` ("accompagnements__"): the same filter through a join."""
        if type == cls.Type.TRIMESTRIEL_RSA:
            return Q(**{f"{prefixe}modalite__champ": "INSERTION"})
        return Q(**{f"{prefixe}modalite__code": Modalite.Code.ASLL})


class DecisionQuerySet(models.QuerySet):
    def visibles_par(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            comite__in=ComiteSuivi.objects.visibles_par(user),
            accompagnement__in=Accompagnement.objects.visibles_par(user),
        )

    def actions_en_attente(self):
        return self.exclude(action="").filter(action_faite_le__isnull=True)


class DecisionComite(models.Model):
    class Choix(models.TextChoices):
        POURSUITE = "POURSUITE", "poursuite de l'accompagnement"
        REORIENTATION = "REORIENTATION", "réorientation"
        SANCTION = "SANCTION", "procédure de sanction"
        SORTIE = "SORTIE", "sortie du dispositif"
        AUTRE = "AUTRE", "autre"
        # Recorded explicitly by the chair (one by one or for all the people left) so that closing never
        # leaves a person without a word in the minutes.
        NON_EXAMINE = "NON_EXAMINE", "non examiné"

    comite = models.ForeignKey(ComiteSuivi, models.CASCADE, related_name="decisions", verbose_name="comité")
    accompagnement = models.ForeignKey(
        Accompagnement, models.PROTECT, related_name="decisions_comite", verbose_name="accompagnement"
    )
    decision = models.CharField("décision", max_length=20, choices=Choix.choices)
    modalite_cible = models.ForeignKey(
        "referentiel.Modalite",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modalité visée",
    )
    commentaire = models.TextField("commentaire", blank=True)
    action = models.CharField("action demandée au référent", max_length=300, blank=True)
    action_due_le = models.DateField("action à faire pour le", null=True, blank=True, validators=[bornes.SUIVI])
    action_faite_le = models.DateField("action faite le", null=True, blank=True, validators=[bornes.SUIVI])
    cree_le = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)
    modifiee_le = models.DateTimeField("modifiée le", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision de comité"
        verbose_name_plural = "décisions de comité"
        ordering = ["comite", "accompagnement__resident__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["comite", "accompagnement"],
                name="decision_unique_par_mesure",
                violation_error_message="Une décision est déjà enregistrée pour cette mesure dans ce comité.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="REORIENTATION") | Q(modalite_cible__isnull=False),
                name="decision_reorientation_cible",
                violation_error_message="Une réorientation indique la modalité visée.",
            ),
            models.CheckConstraint(
                condition=Q(action="") | Q(action_due_le__isnull=False),
                name="decision_action_datee",
                violation_error_message="Une action demandée au référent a une date d'échéance.",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} – {self.accompagnement}"

    @property
    def enregistree_le(self):
        """When the card was last saved (its state on the committee page)."""
        return self.modifiee_le or self.cree_le


class AvenantComite(models.Model):
    """A correction of a closed committee's minutes: kept beside the original, which stays as it was."""

    comite = models.ForeignKey(ComiteSuivi, models.PROTECT, related_name="avenants", verbose_name="comité")
    texte = models.TextField("texte de l'avenant")
    date = models.DateField("date de l'avenant", validators=[bornes.SUIVI])
    auteur = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="auteur")
    cree_le = models.DateTimeField("enregistré le", default=timezone.now, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "avenant au procès-verbal"
        verbose_name_plural = "avenants au procès-verbal"
        ordering = ["comite", "cree_le", "pk"]

    def __str__(self):
        return f"Avenant du {self.date:%d/%m/%Y} – {self.comite}"


class ExportQuerySet(models.QuerySet):
    def de(self, user):
        """An export is only ever visible to the user who asked for it."""
        return self.filter(utilisateur=user) if user.is_authenticated else self.none()


# The contents an export may have, in French (pilotage.exports.SOURCES computes each of them): here, so
# that an export's name needs no import of the code that produces it.
LIBELLES_EXPORT = {
    "mesures": "accompagnements visibles",
    "bilan_rsa": "bilan annuel RSA",
    "sorties_rsa": "sorties RSA de l'année",
    "osa": "OSA : heures d'activité par semaine",
    "asll": "chiffres annuels ASLL",
    "comite": "dossier de comité",
    "comites": "historique des comités",
    "personnes": "personnes accompagnées",
    "a_faire": "À faire",
    "candidatures": "candidatures en cours",
    "signalements": "signalements en vue de sanction",
    "contrats": "contrats",
    "cer_a_remplacer": "CER à remplacer par des contrats d'engagement",
    "agenda": "agenda des rendez-vous",
    "ateliers": "ateliers",
}


class Export(models.Model):
    class Etat(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "en attente"
        EN_COURS = "EN_COURS", "en cours"
        PRET = "PRET", "prêt"
        ECHEC = "ECHEC", "échec"
        EXPIRE = "EXPIRE", "expiré"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    utilisateur = models.ForeignKey("accounts.User", models.CASCADE, related_name="exports", verbose_name="demandé par")
    type = models.CharField("contenu", max_length=40)
    format = models.CharField("format", max_length=4, choices=Format.choices)
    parametres = models.JSONField("paramètres", default=dict, blank=True)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    lignes = models.PositiveIntegerField("lignes", default=0)
    fichier = models.FileField("fichier", upload_to="exports/", blank=True)
    erreur = models.TextField("erreur", blank=True)
    cree_le = models.DateTimeField("demandé le", default=timezone.now, editable=False)
    expire_le = models.DateTimeField("expire le", validators=[bornes.SUIVI])
    # Idempotency token of the form: a double submit returns the same export.
    jeton = champ_jeton()
    # The background production (pilotage/production.py): when it was queued, and the claim that lets
    # one worker only produce it (process and time, compare-and-set), with the number of productions begun.
    mis_en_file_le = models.DateTimeField("confié aux tâches le", null=True, blank=True, editable=False)
    pris_par = models.CharField("pris par", max_length=200, blank=True, editable=False)
    pris_le = models.DateTimeField("pris le", null=True, blank=True, editable=False)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0, editable=False)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = "export"
        ordering = ["-cree_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progression__lte=100),
                name="export_progression_pourcentage",
                violation_error_message="La progression est un pourcentage.",
            )
        ]

    def __str__(self):
        return f"{self.type} ({self.format}) – {self.utilisateur}"

    @property
    def est_expire(self):
        return self.etat == self.Etat.EXPIRE or self.expire_le <= timezone.now()

    @property
    def libelle_type(self):
        """The French name of the content, the key itself for a kind since removed."""
        return LIBELLES_EXPORT.get(self.type, self.type)

    @property
    def nom_fichier(self):
        return f"{self.type}-{self.cree_le:%Y%m%d-%H%M}.{self.format}"


__all__ = ["AvenantComite", "ComiteSuivi", "DecisionComite", "Export", "LIBELLES_EXPORT"]
