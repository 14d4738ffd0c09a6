"""Users and their roles. Where a user belongs decides what they may see (see each app's
`visibles_par` querysets)."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    REFERENT = "REFERENT", "référent"
    RESPONSABLE = "RESPONSABLE", "responsable de structure"
    DELEGUE = "DELEGUE", "délégué insertion"
    CONSEILLER_LOGEMENT = "CONSEILLER_LOGEMENT", "conseiller·ère logement"
    PARTENAIRE = "PARTENAIRE", "partenaire (tiers)"
    ADMINISTRATEUR = "ADMINISTRATEUR", "administrateur"


ROLES_STRUCTURE = (Role.REFERENT, Role.RESPONSABLE)
ROLES_TERRITOIRE = (Role.DELEGUE, Role.CONSEILLER_LOGEMENT)


class UserQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(is_active=True)

    def referents(self):
        return self.filter(role=Role.REFERENT)

    def de_structures(self, structures):
        return self.filter(structures__in=structures).distinct()

    def collegues_de(self, user):
        """Staff of the user's structures (the team a référent can pick as participants)."""
        return self.actifs().filter(structures__in=user.structures.all(), role__in=ROLES_STRUCTURE).distinct()

    def presents_possibles(self, user, territoire_id=None):
        """Who may be recorded as present at an entretien: the user's team and, on an RSA measure
        (`territoire_id` given), the délégués insertion of its territory (rencontre tripartite droits et
        devoirs, with the délégué, the référent and the person)."""
        equipe = self.collegues_de(user)
        if territoire_id is None:
            return equipe
        return (
            self.actifs()
            .filter(Q(pk__in=equipe.values("pk")) | Q(role=Role.DELEGUE, territoires=territoire_id))
            .distinct()
        )


class Manager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


class User(AbstractUser):
    role = models.CharField("rôle", max_length=30, choices=Role.choices, default=Role.REFERENT)
    structures = models.ManyToManyField(
        "referentiel.Structure", blank=True, related_name="membres", verbose_name="structures"
    )
    territoires = models.ManyToManyField(
        "referentiel.Territoire", blank=True, related_name="agents", verbose_name="territoires"
    )
    contact_partenaire = models.OneToOneField(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="compte",
        verbose_name="contact partenaire",
        help_text="Pour un compte partenaire : la personne du tiers qui se connecte.",
    )
    etp = models.DecimalField(
        "temps de travail (ETP)",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="1 = temps plein, 0,5 = mi-temps. Sert au calcul des normes de file active.",
    )
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    # Secret of the personal calendar feed (ICS): the URL is the only credential, so it can be renewed.
    jeton_calendrier = models.UUIDField("jeton du calendrier", null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "jeton_calendrier"])

    objects = Manager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(etp__gte=0) & Q(etp__lte=1),
                name="user_etp_entre_0_et_1",
                violation_error_message="Le temps de travail doit être compris entre 0 et 1 ETP.",
            ),
            models.CheckConstraint(
                condition=~Q(role="PARTENAIRE") | Q(contact_partenaire__isnull=False),
                name="partenaire_a_un_contact",
                violation_error_message="Un compte partenaire doit être rattaché à un contact partenaire.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_referent(self):
        return self.role == Role.REFERENT

    @property
    def is_partenaire(self):
        return self.role == Role.PARTENAIRE

    @property
    def is_administrateur(self):
        return self.role == Role.ADMINISTRATEUR or self.is_superuser
