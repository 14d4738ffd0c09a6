"""Contracts: one model with kinds (COM, CER, contrat d'engagement, plan d'actions ASLL, tripartite).

A contract (Contrat) carries the lifecycle; what the parties sign is one of its versions
(VersionContrat): frozen content, its PDF and the PDF's SHA-256. Note: `Contrat.version` is the
optimistic-locking counter, not the document version (that is `VersionContrat.numero`).

Avenants. A change to a contract in force is an avenant: a new Contrat row (`avenant_de` → the original
contract of the family), with its own draft, objectives, versions, signatures and validation, reusing the
whole lifecycle unchanged. A new row rather than a new draft inside the signed row, because the row's
state, dates and objectives are what « in force » is read from (services, engine, screens): preparing
the avenant in the same row is exactly what used to make the signed contract vanish (the defect of
`rouvrir()`), and a refused avenant refused the signed contract with it. With its own row:
- the signed version stays in force, untouched, while the avenant is drafted, signed, validated,
  deferred or refused; a refused or abandoned avenant is just a dead row;
- when the avenant is signed by every party (and validated where a validator exists) it takes over from
  its effective date (`date_debut`): the version in force until then ends that day (its `date_fin`,
  never its frozen document), and a renewal already prepared now follows the avenant. The avenant ends
  when the contract it amends ended (`date_fin`): changing the term is a renewal, not an avenant;
- the document numbers run through the family (v1 the contract, v2 the first avenant…), so every
  frozen PDF of the family has its own number; the detail page lists them all.
An avenant in preparation counts for nothing (no overlap check, not « vivant »); at most one at a time."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accompagnement.jeton import champ_jeton
from accompagnement.models import Accompagnement, EvaluationPartagee
from accounts import acces
from referentiel import bornes
from referentiel.delais import libelle_delai, relativedelta_de
from referentiel.models import TypeContrat


class Partie(models.TextChoices):
    RESIDENT = "RESIDENT", "personne accompagnée"
    CONJOINT = "CONJOINT", "conjoint·e"
    REFERENT = "REFERENT", "référent"
    RESPONSABLE = "RESPONSABLE", "responsable de structure"
    PARTENAIRE = "PARTENAIRE", "partenaire"


# Who signs each kind (domain.md §5). The conjoint is added for the RSA contracts when there is one.
PARTIES = {
    TypeContrat.COM: (Partie.RESIDENT, Partie.REFERENT, Partie.RESPONSABLE),
    TypeContrat.CER: (Partie.RESIDENT, Partie.REFERENT),
    TypeContrat.CONTRAT_ENGAGEMENT: (Partie.RESIDENT, Partie.REFERENT),
    TypeContrat.PLAN_ASLL: (Partie.RESIDENT, Partie.REFERENT, Partie.PARTENAIRE),
    TypeContrat.TRIPARTITE: (Partie.RESIDENT, Partie.PARTENAIRE, Partie.RESPONSABLE),
    TypeContrat.PROJET: (Partie.RESIDENT, Partie.REFERENT),
}
TYPES_AVEC_CONJOINT = (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT)
# Parties whose signature the team collects in its presence or on paper (the tiers partenaire may also
# sign from its own partner account: accounts.acces.peut_signer).
PARTIES_EXTERNES = (Partie.RESIDENT, Partie.CONJOINT, Partie.PARTENAIRE)


class ContratQuerySet(models.QuerySet):
    def visibles_par(self, user):
        if not user.is_authenticated:
            return self.none()
        return acces.contrats_visibles(self, user)

    def en_vigueur(self, le=None):
        """Signed (and validated where a validator exists) and covering the day: [début, fin)."""
        le = le or timezone.localdate()
        return self.filter(etat__in=Contrat.ETATS_EN_VIGUEUR, date_debut__lte=le, date_fin__gt=le)

    def vivants(self):
        """Every contract that still counts: not cancelled, not refused, not an avenant still in preparation
        (the version it amends is the one that counts until it is signed)."""
        return self.exclude(etat__in=[Contrat.Etat.ANNULE, Contrat.Etat.REFUSE]).exclude(
            avenant_de__isnull=False, etat__in=Contrat.ETATS_EN_PREPARATION
        )

    def de_la_famille(self, contrat):
        """The original contract and all its avenants (whatever their state)."""
        origine = contrat.origine_id
        return self.filter(Q(pk=origine) | Q(avenant_de=origine))

    def a_valider_par(self, user):
        """CERs and contrats d'engagement of the délégué's territories waiting for a decision."""
        if not acces.valide_les_contrats(user):
            return self.none()
        return self.filter(
            type__in=Contrat.TYPES_A_VALIDER,
            etat__in=[Contrat.Etat.EN_VALIDATION, Contrat.Etat.DIFFERE],
            accompagnement__structure__territoire__in=user.territoires.all(),
        )

    def a_signer_par_responsable(self, user):
        """COMs and tripartite documents of the manager's structures still missing the manager's signature."""
        if not acces.signe_pour_la_structure(user):
            return self.none()
        deja_signes = Signature.objects.filter(
            version__contrat=models.OuterRef("pk"),
            version__numero=models.OuterRef("numero_version"),
            partie=Partie.RESPONSABLE,
        )
        return self.filter(
            type__in=[TypeContrat.COM, TypeContrat.TRIPARTITE],
            etat=Contrat.Etat.EN_SIGNATURE,
            accompagnement__structure__in=user.structures.all(),
        ).exclude(models.Exists(deja_signes))

    def a_signer_par_partenaire(self, user):
        """The tripartite documents submitted for signature of which this partner account is the tiers,
        its signature still missing on the current version (chained on `visibles_par`: the consent)."""
        if not acces.signe_comme_partenaire(user):
            return self.none()
        deja_signes = Signature.objects.filter(
            version__contrat=models.OuterRef("pk"),
            version__numero=models.OuterRef("numero_version"),
            partie=Partie.PARTENAIRE,
        )
        return self.filter(
            type__in=acces.TYPES_SIGNES_PAR_LE_PARTENAIRE,
            etat=Contrat.Etat.EN_SIGNATURE,
            partenaire_id=user.contact_partenaire_id,
        ).exclude(models.Exists(deja_signes))


class Contrat(models.Model):
    class Etat(models.TextChoices):
        BROUILLON = "BROUILLON", "brouillon"
        EN_SIGNATURE = "EN_SIGNATURE", "soumis à la signature"
        EN_VALIDATION = "EN_VALIDATION", "en attente de validation"
        DIFFERE = "DIFFERE", "validation différée"
        REFUSE = "REFUSE", "refusé"
        SIGNE = "SIGNE", "signé"
        VALIDE = "VALIDE", "validé"
        ROMPU = "ROMPU", "rompu"
        ANNULE = "ANNULE", "annulé"

    class MotifIntensite(models.TextChoices):
        SANTE = "SANTE", "raisons de santé"
        HANDICAP = "HANDICAP", "situation de handicap"
        AIDANT = "AIDANT", "proche aidant"
        PARENT_ISOLE = "PARENT_ISOLE", "parent isolé sans solution de garde"

    ETATS_EN_VIGUEUR = (Etat.SIGNE, Etat.VALIDE)
    ETATS_EN_PREPARATION = (Etat.BROUILLON, Etat.EN_SIGNATURE, Etat.EN_VALIDATION, Etat.DIFFERE)
    TYPES_A_VALIDER = (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT)

    accompagnement = models.ForeignKey(
        Accompagnement, models.PROTECT, related_name="contrats", verbose_name="accompagnement"
    )
    type = models.CharField("type", max_length=20, choices=TypeContrat.choices)
    date_debut = models.DateField("début", validators=[bornes.SUIVI])
    date_fin = models.DateField("fin", help_text="Le contrat suivant commence ce jour-là.", validators=[bornes.SUIVI])
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON)
    # A ForeignKey, not one-to-one: a cancelled or refused renewal must not block the next attempt.
    # At most one living renewal (constraint below), which starts on this contract's end date
    # (trigger contrat_renouvellement_sans_trou, migration 0003).
    precedent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="successeurs",
        verbose_name="contrat renouvelé",
    )
    numero_renouvellement = models.PositiveSmallIntegerField("renouvellement n°", default=0)
    # Always the original contract (not the previous avenant): the family is one query.
    avenant_de = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="avenants",
        verbose_name="avenant au contrat",
    )
    motif_avenant = models.TextField("motif de l'avenant", blank=True)
    date_soumission_validation = models.DateTimeField(
        "soumis à validation le", null=True, blank=True, validators=[bornes.SUIVI]
    )
    partenaire = models.ForeignKey(
        "referentiel.ContactPartenaire",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="contrats",
        verbose_name="partenaire signataire",
        help_text="Le travailleur social prescripteur (ASLL) ou le tiers partenaire (document tripartite).",
    )
    engagements_personne = models.TextField("engagements de la personne", blank=True)
    engagements_structure = models.TextField("engagements du référent et de la structure", blank=True)
    engagements_partenaire = models.TextField("engagements du partenaire", blank=True)
    heures_activite_hebdo = models.PositiveSmallIntegerField("heures d'activité par semaine", null=True, blank=True)
    motif_intensite_reduite = models.CharField(
        "motif d'une intensité réduite", max_length=20, choices=MotifIntensite.choices, blank=True
    )
    motif_fin = models.TextField("motif de la rupture", blank=True)
    numero_version = models.PositiveSmallIntegerField("version du document", default=1)
    objectifs = models.ManyToManyField(
        "accompagnement.Objectif", through="ObjectifContrat", related_name="contrats", verbose_name="objectifs"
    )
    cree_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="rédigé par")
    cree_le = models.DateTimeField("rédigé le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    objects = ContratQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        ordering = ["-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gt=models.F("date_debut")),
                name="contrat_fin_apres_debut",
                violation_error_message="La fin du contrat doit suivre son début.",
            ),
            # No two living contracts of one measure cover the same day. PostgreSQL has no btree_gist
            # here, so the measure is compared as a one-point int8range (gist-indexable in core).
            # The tripartite admission document lives beside the COMs of the stay: it is left out.
            ExclusionConstraint(
                name="contrat_sans_chevauchement",
                expressions=[
                    (
                        Func(F("accompagnement_id"), F("accompagnement_id"), Value("[]"), function="int8range"),
                        RangeOperators.OVERLAPS,
                    ),
                    (Func(F("date_debut"), F("date_fin"), Value("[)"), function="daterange"), RangeOperators.OVERLAPS),
                ],
                # An avenant overlaps the version it amends until it takes over (services._prendre_effet
                # ends that version on the avenant's effective date first): bound once in force.
                condition=~Q(etat__in=["ANNULE", "REFUSE"])
                & ~Q(type="TRIPARTITE")
                & (Q(avenant_de__isnull=True) | Q(etat__in=["SIGNE", "VALIDE", "ROMPU"])),
                violation_error_message="Ces dates chevauchent un autre contrat de cet accompagnement.",
            ),
            models.UniqueConstraint(
                fields=["avenant_de"],
                condition=Q(etat__in=["BROUILLON", "EN_SIGNATURE", "EN_VALIDATION", "DIFFERE"]),
                name="contrat_un_seul_avenant_en_preparation",
                violation_error_message="Un avenant de ce contrat est déjà en préparation.",
            ),
            models.UniqueConstraint(
                fields=["precedent"],
                condition=~Q(etat__in=["ANNULE", "REFUSE"]),
                name="contrat_un_seul_renouvellement",
                violation_error_message="Ce contrat a déjà un renouvellement.",
            ),
            models.CheckConstraint(
                condition=Q(heures_activite_hebdo__isnull=True) | Q(heures_activite_hebdo__lte=60),
                name="contrat_heures_plausibles",
                violation_error_message="Une intensité de plus de 60 heures par semaine n'est pas plausible.",
            ),
        ]
        indexes = [models.Index(fields=["etat", "date_soumission_validation"], name="contrat_etat_soumission")]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date_debut:%d/%m/%Y} au {self.date_fin:%d/%m/%Y}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("contrats:detail", kwargs={"pk": self.pk})

    def get_constraints(self):
        # Django cannot evaluate the overlap exclusion (range expressions + condition) in a form's
        # partial validation; the services check it under a row lock and PostgreSQL enforces it.
        return [
            (model, [c for c in constraints if c.name != "contrat_sans_chevauchement"])
            for model, constraints in super().get_constraints()
        ]

    @property
    def a_valider(self):
        return self.type in self.TYPES_A_VALIDER

    @property
    def reference(self):
        return f"{self.type}-{self.pk:06d}"

    def parties(self):
        """The parties who must sign this contract, in display order."""
        parties = list(PARTIES.get(self.type, (Partie.RESIDENT, Partie.REFERENT)))
        if self.type in TYPES_AVEC_CONJOINT and self.accompagnement.resident.conjoint is not None:
            parties.insert(1, Partie.CONJOINT)
        return parties

    def successeur(self):
        """The living renewal of this contract (a cancelled or refused one does not count), or None."""
        return Contrat.objects.vivants().filter(precedent=self).first()

    def evaluation_de_fin(self):
        """The évaluation partagée of this contract's end, from which its renewal starts (contrats.evaluation),
        or None."""
        return EvaluationPartagee.objects.filter(contrat=self).first()

    def version_courante(self):
        return self.versions.filter(numero=self.numero_version).first()

    def fin_au_plus_tard(self):
        """(latest end, its wording) for a contract of this kind: its start + the référentiel's duration when
        it is the kind the measure's modality requires (a contrat d'engagement stands for a CER), else
        bornes.HORIZON_ANNEES. None when the start is out of range (its field says so)."""
        from referentiel.regles import regles  # reads the models' fields when imported: not at load time

        r = regles(self.accompagnement.structure.territoire, self.accompagnement.modalite)
        du_referentiel = self.type == r.type_contrat or (
            r.type_contrat == TypeContrat.CER and self.type == TypeContrat.CONTRAT_ENGAGEMENT
        )
        duree = r.duree_contrat if du_referentiel and r.duree_contrat else f"P{bornes.HORIZON_ANNEES}Y"
        try:
            return self.date_debut + relativedelta_de(duree), libelle_delai(duree)
        except (OverflowError, ValueError):
            return None

    def verifier_duree(self):
        """A contract lasts no longer than its kind allows (rules are data: referentiel.regles)."""
        if not (self.date_debut and self.date_fin and self.accompagnement_id and self.type):
            return
        borne = self.fin_au_plus_tard()
        if borne is not None and self.date_fin > borne[0]:
            raise ValidationError(
                {
                    "date_fin": f"Un contrat de ce type ({self.get_type_display()}) dure au plus {borne[1]} : "
                    f"fin le {borne[0]:%d/%m/%Y} au plus tard."
                }
            )

    def clean(self):
        super().clean()
        self.verifier_duree()

    @property
    def origine_id(self):
        return self.avenant_de_id or self.pk

    def en_vigueur_dans_la_famille(self, le=None):
        """The version of this contract in force on the day (itself or one of its avenants), else the last
        one signed (before its start or after its end), else None."""
        le = le or timezone.localdate()
        signes = Contrat.objects.de_la_famille(self).filter(etat__in=self.ETATS_EN_VIGUEUR).order_by("-date_debut")
        return next((c for c in signes if c.date_debut <= le < c.date_fin), None) or signes.first()

    def avenant_en_preparation(self):
        return (
            Contrat.objects.de_la_famille(self)
            .filter(avenant_de__isnull=False, etat__in=self.ETATS_EN_PREPARATION)
            .first()
        )

    def remplace_par(self):
        """The signed avenant that took over from this version on its end date, or None."""
        if self.etat not in self.ETATS_EN_VIGUEUR:
            return None
        return (
            Contrat.objects.de_la_famille(self)
            .filter(avenant_de__isnull=False, etat__in=self.ETATS_EN_VIGUEUR, date_debut=self.date_fin)
            .first()
        )

    def termine(self, le=None):
        """A signed contract whose period is over on the day: it can no longer be amended nor broken, only
        renewed (or followed by a new contract)."""
        le = le or timezone.localdate()
        return self.etat in self.ETATS_EN_VIGUEUR and self.date_fin <= le

    def statut_temporel(self, le=None):
        """Where an in-force contract stands in time: à venir, en cours, terminé (renouvelé or expiré)."""
        le = le or timezone.localdate()
        if self.etat not in self.ETATS_EN_VIGUEUR:
            return self.get_etat_display()
        if le < self.date_debut:
            return "à venir"
        if le < self.date_fin:
            return "en cours"
        if self.remplace_par():
            return "remplacé"
        return "renouvelé" if self.successeur() else "expiré"


class ObjectifContrat(models.Model):
    """An objective of the measure written into a contract, under an axis (COM) and in an order."""

    class Axe(models.TextChoices):
        EMPLOI = "EMPLOI", "emploi"
        LOGEMENT = "LOGEMENT", "logement"
        DEMARCHES = "DEMARCHES", "démarches administratives"
        QUOTIDIEN = "QUOTIDIEN", "gestion du quotidien"
        AUTRE = "AUTRE", "autre"

    contrat = models.ForeignKey(Contrat, models.CASCADE, related_name="lignes_objectifs", verbose_name="contrat")
    objectif = models.ForeignKey(
        "accompagnement.Objectif", models.PROTECT, related_name="lignes_contrats", verbose_name="objectif"
    )
    axe = models.CharField("axe", max_length=20, choices=Axe.choices, default=Axe.AUTRE)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif du contrat"
        verbose_name_plural = "objectifs du contrat"
        ordering = ["ordre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "objectif"],
                name="objectif_contrat_unique",
                violation_error_message="Cet objectif figure déjà dans le contrat.",
            )
        ]

    def __str__(self):
        return f"{self.contrat} – {self.objectif}"


class VersionContrat(models.Model):
    """One frozen version of a contract: the content as signed, its PDF and the PDF's SHA-256.

    Two files, each rendered once and then served from storage (never re-rendered per request):
    - `pdf`, the frozen document, rendered at submission; its SHA-256 (`sha256`) is what every party signs
      and it never changes (`?original=1` serves it);
    - `exemplaire`, the signed copy: the same document with each signature, « Fait à … le … », the
      délégué's decision and the evidence page. It changes when the version's signatures or decision
      change, so it is rendered again at each signature and at the decision (services.ranger_exemplaire),
      the previous file deleted after commit. Empty until the first signature: the frozen document is then
      the copy."""

    contrat = models.ForeignKey(Contrat, models.CASCADE, related_name="versions", verbose_name="contrat")
    numero = models.PositiveSmallIntegerField("version n°")
    contenu = models.JSONField("contenu figé")
    pdf = models.FileField("document", upload_to="contrats/versions/")
    sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64)
    exemplaire = models.FileField("exemplaire signé", upload_to="contrats/exemplaires/", blank=True)
    motif = models.TextField("motif de l'avenant", blank=True)
    figee_le = models.DateTimeField("figée le", default=timezone.now, validators=[bornes.SUIVI])
    figee_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="figée par")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "version de contrat"
        verbose_name_plural = "versions de contrat"
        ordering = ["contrat", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "numero"],
                name="version_contrat_unique",
                violation_error_message="Cette version du contrat existe déjà.",
            )
        ]

    def __str__(self):
        return f"{self.contrat.reference} v{self.numero}"

    def parties(self):
        """The parties who sign this version, as frozen with it (a later change of household does not count)."""
        return [p["code"] for p in self.contenu["parties"]]


class Signature(models.Model):
    """One party's signature of one version, with its evidence (simple electronic signature)."""

    class Methode(models.TextChoices):
        SESSION = "SESSION", "dans sa session, après saisie de son mot de passe ou de son code"
        PRESENCE = "PRESENCE", "en présence du référent, sur son écran"
        PAPIER = "PAPIER", "sur papier, scan vérifié par le référent"

    version = models.ForeignKey(VersionContrat, models.PROTECT, related_name="signatures", verbose_name="version")
    partie = models.CharField("partie", max_length=20, choices=Partie.choices)
    nom_signataire = models.CharField("nom du signataire", max_length=200)
    user = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="compte signataire"
    )
    recueillie_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="recueillie par")
    methode = models.CharField("méthode", max_length=10, choices=Methode.choices)
    consentement = models.TextField("phrase de consentement", blank=True)
    signee_le = models.DateTimeField("signée le", default=timezone.now, validators=[bornes.SUIVI])
    adresse_ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    navigateur = models.CharField("navigateur", max_length=500, blank=True)
    # How the signer was authenticated and on whose device: « dans sa session, par son mot de passe », or
    # « en présence de X, sur l'appareil de X » (the address and browser above are then X's).
    circonstances = models.CharField("circonstances", max_length=300, blank=True)
    sha256_document = models.CharField("empreinte du document signé", max_length=64)
    scan = models.FileField("scan signé", upload_to="contrats/scans/", blank=True)
    sha256_scan = models.CharField("empreinte du scan", max_length=64, blank=True)
    scan_verifie = models.BooleanField("scan vérifié par le référent", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "signature"
        ordering = ["signee_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "partie"],
                name="signature_unique_par_partie",
                violation_error_message="Cette partie a déjà signé cette version.",
            ),
            models.CheckConstraint(
                condition=~Q(methode="PAPIER") | (Q(scan_verifie=True) & ~Q(sha256_scan="")),
                name="signature_papier_verifiee",
                violation_error_message="Une signature sur papier suppose un scan vérifié.",
            ),
        ]

    def __str__(self):
        return f"{self.nom_signataire} ({self.get_partie_display()})"


class Transition(models.Model):
    """The log of a contract: every change of state, and the exchanges between délégué and référent."""

    contrat = models.ForeignKey(Contrat, models.CASCADE, related_name="transitions", verbose_name="contrat")
    action = models.CharField("action", max_length=40)
    etat_avant = models.CharField("état avant", max_length=20, choices=Contrat.Etat.choices, blank=True)
    etat_apres = models.CharField("état après", max_length=20, choices=Contrat.Etat.choices)
    par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="par")
    le = models.DateTimeField("le", default=timezone.now, validators=[bornes.SUIVI])
    motif = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "transition de contrat"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.action} ({self.le:%d/%m/%Y %H:%M})"


class RefusSignature(models.Model):
    """The person (or her conjoint·e) refuses to sign a first CER / contrat d'engagement or its renewal: a
    ground for the sanction procedure (seed 003). The contract keeps its state (a draft or submitted for
    signature): it is still the one to sign if she changes her mind, and the contract is still missing
    for the échéances. The refusal is also written in the contract's transition log."""

    contrat = models.ForeignKey(Contrat, models.PROTECT, related_name="refus_de_signer", verbose_name="contrat")
    partie = models.CharField(
        "qui refuse", max_length=20, choices=[(p.value, p.label) for p in (Partie.RESIDENT, Partie.CONJOINT)]
    )
    le = models.DateField("refusé le", validators=[bornes.SUIVI])
    motif = models.TextField("raison donnée par la personne", blank=True)
    constate_par = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="constaté par")
    enregistre_le = models.DateTimeField("enregistré le", default=timezone.now, editable=False)
    jeton = champ_jeton()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "refus de signer"
        verbose_name_plural = "refus de signer"
        ordering = ["-le", "-pk"]

    def __str__(self):
        return f"Refus de signer {self.contrat} ({self.le:%d/%m/%Y})"

    @property
    def signalement_ou_rien(self):
        """The report made of this refusal, or None (a template cannot catch RelatedObjectDoesNotExist)."""
        try:
            return self.signalement
        except models.ObjectDoesNotExist:
            return None


class NotificationQuerySet(models.QuerySet):
    def non_lues(self):
        return self.filter(lue_le__isnull=True)


class Notification(models.Model):
    """An in-app notice to a référent about one of their contracts (also sent by e-mail)."""

    destinataire = models.ForeignKey(
        "accounts.User", models.CASCADE, related_name="notifications_contrats", verbose_name="destinataire"
    )
    contrat = models.ForeignKey(Contrat, models.CASCADE, related_name="notifications", verbose_name="contrat")
    message = models.CharField("message", max_length=300)
    creee_le = models.DateTimeField("créée le", default=timezone.now, validators=[bornes.SUIVI])
    lue_le = models.DateTimeField("lue le", null=True, blank=True, validators=[bornes.SUIVI])

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-creee_le"]

    def __str__(self):
        return self.message
