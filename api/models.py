"""The API's tokens: held by one organisation (a territory, a structure or a partner organisation), created
and revoked by the administrator, stored as the SHA-256 of the secret (shown once, at creation).

A token acts as a principal that accounts/acces.py already answers for (docs/acces.md, « API »): its
`compte`. For a structure or a territory, a service account created with the token (no password, inactive:
it cannot log in and receives no alert) with the role and the organisation of the users it stands for; for
a partner organisation, the account of one of its contacts (the partner's view is the contact's:
co-references and consents are per contact)."""

import hashlib

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


def empreinte(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class JetonAPIQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(revoque_le__isnull=True)

    def par_secret(self, secret):
        """The token in force whose secret this is, with its principal, or None."""
        return (
            self.actifs()
            .select_related("compte", "territoire", "structure", "tiers")
            .filter(empreinte=empreinte(secret))
            .first()
        )


class Ressource(models.TextChoices):
    """What a token may reach, endpoint by endpoint (each view of api/ names its own)."""

    PERSONNES = "PERSONNES", "personnes"
    MESURES = "MESURES", "mesures"
    ECHEANCES = "ECHEANCES", "échéances"
    ENTRETIENS = "ENTRETIENS", "entretiens"
    CONTRATS = "CONTRATS", "contrats et leurs PDF"
    ORIENTATIONS = "ORIENTATIONS", "décisions d'orientation"
    IMPORTS = "IMPORTS", "imports d'allocataires"
    COMITES = "COMITES", "décisions des comités de suivi"
    REFERENTIEL = "REFERENTIEL", "référentiel"


def toutes_les_ressources():
    return list(Ressource.values)


class JetonAPI(models.Model):
    class Portee(models.TextChoices):
        LECTURE = "LECTURE", "lecture"
        ECRITURE = "ECRITURE", "lecture et écriture"

    nom = models.CharField("nom", max_length=150, help_text="Le système qui l'utilise, ex. « SI du Département ».")
    portee = models.CharField("portée", max_length=10, choices=Portee.choices, default=Portee.LECTURE)
    territoire = models.ForeignKey(
        "referentiel.Territoire", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="territoire"
    )
    structure = models.ForeignKey(
        "referentiel.Structure", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="structure"
    )
    tiers = models.ForeignKey(
        "referentiel.TiersPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="tiers partenaire",
    )
    ressources = ArrayField(
        models.CharField(max_length=20, choices=Ressource.choices),
        verbose_name="ressources",
        default=toutes_les_ressources,
        help_text="Ce que le jeton atteint ; la portée dit s'il y lit seulement ou y écrit aussi.",
    )
    compte = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="jetons_api", verbose_name="agit comme", editable=False
    )
    empreinte = models.CharField("empreinte SHA-256 du secret", max_length=64, unique=True, editable=False)
    cree_par = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name="créé par", editable=False
    )
    cree_le = models.DateTimeField("créé le", default=timezone.now, editable=False)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True, editable=False)
    utilise_le = models.DateTimeField("dernière utilisation", null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["empreinte", "utilise_le"])

    objects = JetonAPIQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(territoire__isnull=False, structure__isnull=True, tiers__isnull=True)
                    | Q(territoire__isnull=True, structure__isnull=False, tiers__isnull=True)
                    | Q(territoire__isnull=True, structure__isnull=True, tiers__isnull=False)
                ),
                name="jeton_api_une_organisation",
                violation_error_message="Un jeton appartient à une seule organisation : un territoire, "
                "une structure ou un tiers partenaire.",
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.organisation})"

    @property
    def organisation(self):
        return self.territoire or self.structure or self.tiers

    @property
    def revoque(self):
        return self.revoque_le is not None

    def atteint(self, ressource):
        return ressource in self.ressources

    @property
    def ecriture(self):
        return self.portee == self.Portee.ECRITURE
