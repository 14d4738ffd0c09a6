"""The demo: one département (Vosges, 88), two territories, a résidence FJT, an association (ASLL and
accompagnement global) and a MSVS (RSA), a user of every role and about 80 people whose histories put
at least one example of every alert of domain.md §6 on screen — on whatever day the demo is built,
since every date is relative to today and every threshold is read from the référentiel.

Deterministic: names, addresses and histories come from a seeded `random.Random`. Idempotent: the
FJT's name is the marker; when it exists nothing is written."""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accompagnement.models import (
    Accompagnement,
    ActionCollective,
    CoReferent,
    DecisionOrientation,
    DemandeReorientation,
    Entretien,
    EvaluationObjectif,
    Objectif,
    Participation,
    TypeEntretien,
)
from accounts.models import Role, User
from contrats.models import Contrat
from referentiel.delais import relativedelta_de
from referentiel.models import (
    ContactPartenaire,
    Departement,
    Modalite,
    Structure,
    SurchargeModalite,
    Territoire,
    TiersPartenaire,
    TypeContrat,
)
from referentiel.regles import parametres_par_territoire, regles_par_territoire
from residents.models import Consentement, Menage, Resident
from residents.texte import cle_recherche

from . import MOT_DE_PASSE_DEMO, noms
from . import contrats as contrats_demo
from . import sanctions as sanctions_demo

MARQUEUR = "Résidence Habitat Jeunes Les Images"
GRAINE = 88
# The référentiel gives no length to a projet personnalisé (« per project »); the demo's last a year,
# and a tripartite document covers a stay the tiers finances for two years.
DUREE_PROJET = relativedelta(years=1)
DUREE_SEJOUR_TIERS = relativedelta(years=2)
# A PDF costs ~150 ms to render (WeasyPrint) and the monthly COMs of the FJT pile up a dozen contracts per
# person: only the last contracts of each measure (the one in force, the one before, the renewal) get their
# PDF rendered; the older ones keep their frozen content and signatures, their signed copy rendered on demand.
PDF_PAR_MESURE = 3
# Who signs as partner: the ASE finances the stays under convention, the bailleur is party to the ASLL plan.
PARTENAIRE_DU_TYPE = {
    TypeContrat.TRIPARTITE: TiersPartenaire.Type.ASE,
    TypeContrat.PLAN_ASLL: TiersPartenaire.Type.BAILLEUR,
}

PHYSIQUES = [TypeEntretien.BUREAU, TypeEntretien.BUREAU, TypeEntretien.VAD, TypeEntretien.ACCOMPAGNEMENT_DEMARCHE]
A_DISTANCE = [TypeEntretien.TELEPHONE, TypeEntretien.TELEPHONE, TypeEntretien.MESSAGE, TypeEntretien.VISIO]


def demo_existe():
    return Structure.objects.filter(nom=MARQUEUR).exists()


def creer_demo(*, sortie=print):
    """Build the demo unless it exists; returns True when it was built."""
    if demo_existe():
        return False
    with transaction.atomic():
        _Demo(sortie).construire()
    return True


@dataclass
class Profil:
    """What a person's history must show today (None: à jour)."""

    contact: str | None = None  # "RETARD" | "BIENTOT"
    rencontre: str | None = None
    contrat: str = "NORMAL"  # NORMAL | RENOUVELLEMENT | ASLL_DERNIER | MANQUANT | CER_NON_SIGNE | VALIDATION | AUCUN
    absences: bool = False
    age: int | None = None
    parent_isole: bool = False
    nouvel_entrant: bool = False
    sans_orientation: bool = False
    mois: int | None = None  # length of the history in months
    extra: dict = field(default_factory=dict)


class _Demo:
    def __init__(self, sortie):
        self.sortie = sortie
        self.rng = random.Random(GRAINE)
        self.j = timezone.localdate()
        self.maintenant = timezone.now()
        self.modalites = {m.code: m for m in Modalite.objects.all()}
        self.entretiens = []
        self.contrats_crees = 0
        self.residents = []
        self.profils = {}  # resident pk -> Profil

    # ---------------------------------------------------------------- organisation
    def construire(self):
        self._organisation()
        self._comptes()
        self._personnes()
        self._parcours_rsa()
        self._ateliers()
        sanctions_demo.creer(self)
        self._version_a_venir()
        self.sortie(
            f"Démo créée : {len(self.residents)} personnes, {Accompagnement.objects.filter(structure__in=self.structures).count()} "
            f"accompagnements, {len(self.entretiens)} entretiens, {self.contrats_crees} contrats."
        )

    def _organisation(self):
        departement, _ = Departement.objects.get_or_create(code="88", defaults={"nom": "Vosges"})
        self.epinal, _ = Territoire.objects.get_or_create(departement=departement, nom="Épinal")
        self.saint_die, _ = Territoire.objects.get_or_create(departement=departement, nom="Saint-Dié-des-Vosges")
        self.fjt = Structure.objects.create(
            nom=MARQUEUR,
            type=Structure.Type.FJT,
            territoire=self.epinal,
            adresse="12 rue de la Louvière\n88000 Épinal",
            telephone="03 29 31 00 01",
            email="accueil@lesimages-hj.example.fr",
        )
        self.relais = Structure.objects.create(
            nom="Le Relais Vosgien",
            type=Structure.Type.ASSOCIATION,
            numero_convention="CD88-ASLL-2025-014",
            territoire=self.epinal,
            adresse="4 quai des Bons Enfants\n88000 Épinal",
            telephone="03 29 31 00 02",
            email="contact@relais-vosgien.example.fr",
        )
        self.msvs = Structure.objects.create(
            nom="Maison de la solidarité de Saint-Dié-des-Vosges",
            type=Structure.Type.MSVS,
            numero_convention="CD88-RSA-2025-007",
            territoire=self.saint_die,
            adresse="9 rue d'Alsace\n88100 Saint-Dié-des-Vosges",
            telephone="03 29 52 00 03",
            email="msvs-saint-die@vosges.example.fr",
        )
        # Where the délégué insertion's import of the Département's file puts the new RSA beneficiaries,
        # before they are oriented (residents.services_import): no staff, no measure of its own.
        self.pole_insertion = Structure.objects.create(
            nom="Pôle insertion du Département – Épinal",
            type=Structure.Type.SERVICE_CD,
            territoire=self.epinal,
            adresse="8 rue de la Préfecture\n88000 Épinal",
            telephone="03 29 29 88 88",
            email="pole-insertion-epinal@vosges.example.fr",
        )
        self.structures = [self.fjt, self.relais, self.msvs]
        tiers = [
            ("Aide sociale à l'enfance des Vosges", TiersPartenaire.Type.ASE, "Claire", "Vautrin", "éducatrice ASE"),
            ("Mission Locale d'Épinal", TiersPartenaire.Type.MISSION_LOCALE, "Rémi", "Colnel", "conseiller"),
            ("Vosges Habitat Solidaire", TiersPartenaire.Type.BAILLEUR, "Josiane", "Jacquot", "chargée de gestion locative"),
            ("Chantier d'insertion La Boîte à Outils", TiersPartenaire.Type.CHANTIER, "Franck", "Didier", "encadrant technique"),
            ("Service social départemental d'Épinal", TiersPartenaire.Type.PRESCRIPTEUR, "Hélène", "Thiébaut", "assistante sociale"),
        ]  # fmt: skip
        self.contacts = {}
        for nom, type_tiers, prenom, nom_contact, fonction in tiers:
            organisme = TiersPartenaire.objects.create(
                nom=nom,
                type=type_tiers,
                territoire=self.epinal,
                adresse=noms.adresse(self.rng),
                telephone="03 29 " + " ".join(f"{self.rng.randint(10, 99)}" for _ in range(3)),
                email=f"contact@{type_tiers.lower().replace('_', '-')}.example.fr",
            )
            self.contacts[type_tiers] = ContactPartenaire.objects.create(
                tiers=organisme,
                prenom=prenom,
                nom=nom_contact,
                fonction=fonction,
                email=f"{prenom.lower()}.{nom_contact.lower()}@{type_tiers.lower().replace('_', '-')}.example.fr",
                telephone=noms.telephone(self.rng),
            )
        self.regles = regles_par_territoire([self.epinal, self.saint_die])
        self.parametres = parametres_par_territoire([self.epinal, self.saint_die])

    def _version_a_venir(self):
        """An upcoming version of the référentiel to look at (« Référentiel » of the admin): the Vosges space
        the mobilisation sociale's meetings once the first two months, every fortnight, are over."""
        debut = (self.j + relativedelta(months=2)).replace(day=1)
        SurchargeModalite.objects.get_or_create(
            modalite=self.modalites["RSA_MOBILISATION"],
            departement=self.epinal.departement,
            territoire=None,
            en_vigueur_le=debut,
            defaults={
                "phase_initiale_duree": "P2M",
                "phase_initiale_rencontre": "P2W",
                "source": "Vosges : révision du référentiel (exemple de la démonstration)",
            },
        )

    def _compte(self, username, prenom, nom, role, *, structures=(), territoires=(), **extra):
        user = User(username=username, first_name=prenom, last_name=nom, email=f"{username}@demo.example.fr", role=role)
        for cle, valeur in extra.items():
            setattr(user, cle, valeur)
        user.password = self.mot_de_passe
        user.save()
        user.structures.set(structures)
        user.territoires.set(territoires)
        return user

    def _comptes(self):
        self.mot_de_passe = make_password(MOT_DE_PASSE_DEMO)  # hashed once: the hasher is slow on purpose
        c = self._compte
        self.admin = c("admin.demo", "Alain", "Masson", Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)
        self.ref_fjt = c("referente.fjt", "Camille", "Mougel", Role.REFERENT, structures=[self.fjt])
        # Part-time on the ASLL: his caseload goes over the norm × ETP (a NORME_FILE_ACTIVE example).
        self.ref_asll = c(
            "referent.asll", "Julien", "Haxaire", Role.REFERENT, structures=[self.relais], etp=Decimal("0.20")
        )
        self.ref_global = c("referente.global", "Sophie", "Claudel", Role.REFERENT, structures=[self.relais])
        self.ref_rsa = c("referente.rsa", "Nadia", "Pierrat", Role.REFERENT, structures=[self.msvs])
        self.ref_rsa2 = c("referent.rsa2", "Thierry", "Vuillemin", Role.REFERENT, structures=[self.msvs])
        self.resp_fjt = c("responsable.fjt", "Isabelle", "Gérard", Role.RESPONSABLE, structures=[self.fjt])
        self.resp_relais = c("responsable.relais", "Pascal", "Renard", Role.RESPONSABLE, structures=[self.relais])
        self.resp_msvs = c("responsable.msvs", "Sandrine", "Schmitt", Role.RESPONSABLE, structures=[self.msvs])
        territoires = [self.epinal, self.saint_die]
        self.delegue = c("delegue.insertion", "Didier", "Valentin", Role.DELEGUE, territoires=territoires)
        c("conseillere.logement", "Aurélie", "Perrin", Role.CONSEILLER_LOGEMENT, territoires=territoires)
        c(
            "partenaire.ase",
            "Claire",
            "Vautrin",
            Role.PARTENAIRE,
            contact_partenaire=self.contacts[TiersPartenaire.Type.ASE],
        )

    # ---------------------------------------------------------------- référentiel helpers
    def _regles(self, structure, code):
        return self.regles[(structure.territoire_id, self.modalites[code].pk)]

    def _delai(self, structure, code_parametre):
        return relativedelta_de(self.parametres[(structure.territoire_id, code_parametre)])

    def _jours(self, delta):
        return (self.j + delta - self.j).days

    def _veille_de(self, cible, delta):
        """The latest day d with d + delta <= cible (month arithmetic is not reversible)."""
        d = cible - delta
        while d + timedelta(days=1) + delta <= cible:
            d += timedelta(days=1)
        while d + delta > cible:
            d -= timedelta(days=1)
        return d

    # ---------------------------------------------------------------- people
    def _personnes(self):
        R, B = "RETARD", "BIENTOT"
        P = Profil
        plan = []  # (structure, référent, modality, profile)
        # FJT (ages within 16-30; an over-30 resident is the eligibility example).
        for _ in range(14):
            plan.append((self.fjt, self.ref_fjt, "FJT_REGULIER", P()))
        plan += [
            (self.fjt, self.ref_fjt, "FJT_REGULIER", P(rencontre=R)),
            (self.fjt, self.ref_fjt, "FJT_REGULIER", P(rencontre=B)),
            (self.fjt, self.ref_fjt, "FJT_REGULIER", P(contrat="RENOUVELLEMENT")),
            (self.fjt, self.ref_fjt, "FJT_REGULIER", P(age=31)),
            (self.fjt, self.ref_fjt, "FJT_REGULIER", P(contrat="MANQUANT", mois=2)),
        ]
        for _ in range(3):
            plan.append((self.fjt, self.ref_fjt, "FJT_CONVENTION", P(extra={"ase": True})))
        # Her admission document waits for the ASE's signature: « Documents à signer » of partenaire.ase.
        plan.append(
            (self.fjt, self.ref_fjt, "FJT_CONVENTION", P(rencontre=R, extra={"ase": True, "tripartite_a_signer": True}))
        )
        for _ in range(3):
            plan.append((self.fjt, self.ref_fjt, "FJT_PONCTUEL", P()))
        # ASLL: all with the part-time référent, so his caseload is over norm × ETP.
        asll = [
            P(),
            P(),
            P(),
            P(),
            P(),
            P(contact=R),
            P(contact=B),
            P(rencontre=R),
            P(rencontre=B),
            P(contrat="ASLL_DERNIER"),
            P(contrat="MANQUANT"),
            P(contrat="RENOUVELLEMENT"),
        ]
        regles_asll = self._regles(self.relais, "ASLL")
        plafond = int(regles_asll.norme_file_active * self.ref_asll.etp)
        while len(asll) <= plafond + 1:
            asll.append(P())
        plan += [(self.relais, self.ref_asll, "ASLL", profil) for profil in asll]
        # Accompagnement global coordonné, with partners.
        for _ in range(4):
            plan.append((self.relais, self.ref_global, "GLOBAL", P(extra={"partenaires": True})))
        plan.append((self.relais, self.ref_global, "GLOBAL", P(mois=3)))
        # RSA at the MSVS, split between two référents.
        rsa = [
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P()),
            ("RSA_SOCIOPRO", P(extra={"conjoint": True})),
            ("RSA_SOCIOPRO", P(extra={"parcours": True})),
            ("RSA_SOCIOPRO", P(contact=R)),
            ("RSA_SOCIOPRO", P(contact=B)),
            ("RSA_SOCIOPRO", P(rencontre=R)),
            ("RSA_SOCIOPRO", P(contrat="RENOUVELLEMENT")),
            ("RSA_SOCIOPRO", P(contrat="VALIDATION")),
            ("RSA_SOCIOPRO", P(contrat="CER_NON_SIGNE", mois=3)),
            ("RSA_SOCIOPRO", P(absences=True)),
            ("RSA_SOCIOPRO", P(extra={"absence_excusee": True})),
            ("RSA_SOCIOPRO", P(extra={"rdv_a_qualifier": True})),
            ("RSA_MOBILISATION", P()),
            ("RSA_MOBILISATION", P()),
            ("RSA_MOBILISATION", P()),
            ("RSA_MOBILISATION", P()),
            ("RSA_MOBILISATION", P(contact=R)),
            ("RSA_MOBILISATION", P(rencontre=R)),
            ("RSA_MOBILISATION", P(rencontre=B)),
            ("RSA_MOBILISATION", P(absences=True)),
            ("RSA_VEILLE", P()),
            ("RSA_VEILLE", P()),
            ("RSA_VEILLE", P()),
            ("RSA_VEILLE", P(rencontre=R)),
            ("RSA_VEILLE", P(age=26)),
            ("RSA_VEILLE", P(parent_isole=True)),
            ("RSA_VEILLE", P(nouvel_entrant=True, mois=4)),
            # Welcomed at the MSVS while the Président's orientation decision is still awaited.
            ("RSA_SOCIOPRO", P(sans_orientation=True, contrat="AUCUN", mois=1)),
        ]
        for i, (code, profil) in enumerate(rsa):
            plan.append((self.msvs, self.ref_rsa if i % 2 == 0 else self.ref_rsa2, code, profil))
        for structure, referent, code, profil in plan:
            self._personne(structure, referent, code, profil)
        # Oriented to France Travail (« RSA emploi »): recorded as an orientation, not accompanied here.
        for _ in range(2):
            self._resident(self.msvs, "RSA_EMPLOI", Profil(), self.j - relativedelta(months=5))
        bulk_create_with_history(self.entretiens, Entretien, batch_size=500, default_user=self.admin)
        self._objectifs_travailles()

    def _parcours_rsa(self):
        """The Département's side of the RSA: each oriented beneficiary's decision (the délégué's), three
        beneficiaries still to orient (overdue, due soon, just arrived) at the Département's insertion
        service, and one oriented to the MSVS three days ago whose référent is still to designate. In the
        demo, Saint-Dié experiments the accompagnement rénové (the call-in within CONVOCATION_DELAI)."""
        self.saint_die.accompagnement_renove = True
        self.saint_die.save()
        mesures = {
            (a.resident_id, a.modalite_id): a
            for a in Accompagnement.objects.filter(structure__in=self.structures, date_fin__isnull=True)
        }
        decisions = [
            DecisionOrientation(
                resident=r,
                modalite=r.orientation,
                structure=r.structure if r.orientation.accompagnee_ici else None,
                date_decision=r.date_orientation,
                decidee_par=self.delegue,
                accompagnement=mesures.get((r.pk, r.orientation_id)),
            )
            for r in self.residents
            if r.orientation_id
        ]
        bulk_create_with_history(decisions, DecisionOrientation, default_user=self.delegue)
        self.service_cd = Structure.objects.create(
            nom="Pôle insertion du Département – Saint-Dié-des-Vosges",
            type=Structure.Type.SERVICE_CD,
            territoire=self.saint_die,
            adresse="2 rue Thiers\n88100 Saint-Dié-des-Vosges",
            telephone="03 29 52 00 10",
            email="insertion-saint-die@vosges.example.fr",
        )
        self.structures.append(self.service_cd)
        delai = self._delai(self.service_cd, "ORIENTATION_RSA_DELAI")
        for ouverture in (
            self.j - delai - timedelta(days=10),
            self.j - delai + timedelta(days=5),
            self.j - timedelta(days=5),
        ):
            resident = self._resident(self.service_cd, "RSA_SOCIOPRO", Profil(), self.j)
            resident.date_ouverture_rsa = ouverture
            resident.orientation = resident.date_orientation = None
            resident.save()
        orientee = self._resident(self.msvs, "RSA_SOCIOPRO", Profil(), self.j)
        orientee.date_ouverture_rsa = self.j - timedelta(days=25)
        orientee.date_orientation = self.j - timedelta(days=10)  # to call in within 5 days (accompagnement rénové)
        orientee.save()
        DecisionOrientation.objects.create(
            resident=orientee,
            modalite=orientee.orientation,
            structure=self.msvs,
            date_decision=orientee.date_orientation,
            decidee_par=self.delegue,
            motif="Projet professionnel à construire ; mobilité à travailler.",
        )
        # A référent's request the délégué has not answered yet (due within the week).
        mobilisation = Accompagnement.objects.filter(
            structure=self.msvs, modalite__code="RSA_MOBILISATION", date_fin__isnull=True
        ).first()
        DemandeReorientation.objects.create(
            accompagnement=mobilisation,
            modalite=self.modalites["RSA_SOCIOPRO"],
            motif="Confiance retrouvée, projet de formation d'aide-soignant·e : passer au socioprofessionnel.",
            demandee_par=mobilisation.referent,
            demandee_le=timezone.now() - timedelta(days=25),
        )

    def _resident(self, structure, code, profil, debut):
        rng = self.rng
        femme = rng.random() < 0.55
        regles = self._regles(structure, code)
        if profil.age is not None:
            age = profil.age
        elif code.startswith("FJT"):
            age = rng.randint(18, 24)
        else:
            age = rng.randint(max(31, regles.age_min or 0), 60)
        naissance = self.j - relativedelta(years=age, days=rng.randint(10, 300))
        resident = Resident(
            structure=structure,
            nom=rng.choice(noms.NOMS),
            prenom=rng.choice(noms.PRENOMS_F if femme else noms.PRENOMS_H),
            date_naissance=naissance,
            sexe=Resident.Sexe.FEMME if femme else Resident.Sexe.HOMME,
            nationalite=rng.choice(["FR", "FR", "FR", "UE", "HORS_UE"]),
            telephone=noms.telephone(rng),
            situation_familiale=Resident.SituationFamiliale.SEUL,
            ressources=rng.choice(["RSA", "salaire", "garantie jeunes", "ARE", "AAH"]),
        )
        # Unaccented: Django's EmailValidator refuses « léa.79@… », and the identity form would then refuse
        # to save a demo person over a field the user never touched.
        resident.email = f"{cle_recherche(resident.prenom).replace(' ', '-')}.{len(self.residents) + 1}@exemple.fr"
        if code.startswith("FJT"):
            resident.residence = structure
            resident.logement = f"{rng.randint(1, 4)}{rng.randint(1, 20):02d}"
            resident.adresse = structure.adresse
            resident.ressources = rng.choice(["salaire", "contrat d'apprentissage", "garantie jeunes", "bourse"])
        else:
            resident.adresse = noms.adresse(rng)
        if profil.parent_isole:
            resident.situation_familiale = Resident.SituationFamiliale.SEPARE
            resident.enfants_a_charge = 2
        elif not code.startswith("FJT") and code != "RSA_VEILLE" and rng.random() < 0.3:
            resident.situation_familiale = Resident.SituationFamiliale.COUPLE
            resident.enfants_a_charge = rng.randint(0, 3)
        if code.startswith("RSA"):
            nouvel = self._delai(structure, "NOUVEL_ENTRANT_DUREE")
            if profil.nouvel_entrant:
                resident.date_ouverture_rsa = debut - timedelta(days=20)
            elif code == "RSA_VEILLE":
                resident.date_ouverture_rsa = min(debut, self.j - nouvel) - timedelta(days=rng.randint(60, 400))
            else:
                resident.date_ouverture_rsa = debut - timedelta(days=rng.randint(20, 60))
            resident.orientation = self.modalites[code]
            resident.date_orientation = max(resident.date_ouverture_rsa, debut - timedelta(days=rng.randint(3, 15)))
            resident.montant_ressources = Decimal(rng.choice(["635.71", "953.57", "1144.28"]))
        if profil.sans_orientation:
            resident.date_ouverture_rsa = self.j - self._delai(structure, "ORIENTATION_RSA_DELAI") - timedelta(days=10)
            resident.orientation = resident.date_orientation = None
        resident.save()
        self.residents.append(resident)
        return resident

    def _personne(self, structure, referent, code, profil):
        rng = self.rng
        regles = self._regles(structure, code)
        mois = profil.mois or rng.randint(6, 18)
        if code == "ASLL" and profil.contrat not in ("ASLL_DERNIER",):
            mois = rng.randint(6, 11)  # renewals left: the plans in force are the 1st or 2nd
        duree = relativedelta_de(regles.duree_contrat) if regles.duree_contrat else DUREE_PROJET
        debut = self.j - relativedelta(months=mois, days=rng.randint(0, 20))
        if profil.contrat == "ASLL_DERNIER":  # third plan (2nd renewal) ends within the month
            fin_voulue = self.j + timedelta(days=self._jours(self._delai(structure, "RENOUVELLEMENT_PREAVIS")) // 2)
            debut = fin_voulue
            for _ in range((regles.renouvellements_max or 0) + 1):
                debut = self._veille_de(debut, duree)
        if profil.sans_orientation:
            debut = self.j - timedelta(days=15)
        if profil.contrat == "CER_NON_SIGNE":
            orientation = self.j - self._delai(structure, "CER_SIGNATURE_DELAI") - timedelta(days=12)
            debut = orientation + timedelta(days=5)
        resident = self._resident(structure, code, profil, debut)
        self.profils[resident.pk] = profil
        if profil.contrat == "CER_NON_SIGNE":
            resident.date_orientation = debut - timedelta(days=5)
            resident.date_ouverture_rsa = resident.date_orientation - timedelta(days=20)
            resident.save()
        precedent = None
        if profil.extra.get("parcours"):
            # Re-orientation: a closed mobilisation measure, then the socioprofessional one.
            debut_avant = debut - relativedelta(months=6)
            precedent = Accompagnement.objects.create(
                resident=resident,
                modalite=self.modalites["RSA_MOBILISATION"],
                referent=referent,
                structure=structure,
                date_debut=debut_avant,
                date_fin=debut - timedelta(days=1),
                motif_fin=Accompagnement.MotifFin.REORIENTATION,
                destination=Accompagnement.Destination.MEME_LOGEMENT,
                relais="Réorientation vers l'accompagnement socioprofessionnel décidée en comité de suivi.",
            )
            self._historique(precedent, debut_avant, debut - timedelta(days=3), debut - timedelta(days=10), None)
        acc = Accompagnement.objects.create(
            resident=resident,
            modalite=self.modalites[code],
            referent=referent,
            structure=structure,
            date_debut=debut,
            precedent=precedent,
        )
        self._contacts(acc, regles, profil)
        self.a_figer = []
        self._contrats(acc, regles, profil, duree)
        self._entourage(acc, resident, profil)
        self._figer_contrats(acc)
        return acc

    def _contacts(self, acc, regles, profil):
        """History of entretiens ending so that today's contact and meeting states match the profile."""
        structure = acc.structure
        fenetre = self._jours(self._delai(structure, "BIENTOT_DU"))
        contact = relativedelta_de(regles.intervalle_contact) if regles.intervalle_contact else None
        rencontre = relativedelta_de(regles.intervalle_rencontre) if regles.intervalle_rencontre else None

        def cible(intervalle, etat):
            if intervalle is None:
                return self.j - timedelta(days=self.rng.randint(2, 12))
            if etat == "RETARD":
                return self._veille_de(self.j - timedelta(days=self.rng.randint(4, 12)), intervalle)
            if etat == "BIENTOT":
                return self._veille_de(self.j + timedelta(days=max(1, fenetre // 2)), intervalle)
            # à jour: due after the « bientôt » window (when the interval allows it)
            au_plus_tot = self._veille_de(self.j + timedelta(days=fenetre + 1), intervalle)
            marge = max(0, (self.j - au_plus_tot).days)
            return min(au_plus_tot + timedelta(days=self.rng.randint(0, marge)), self.j)

        derniere_rencontre = cible(rencontre, profil.rencontre)
        dernier_contact = cible(contact, profil.contact) if contact else derniere_rencontre
        if profil.contact:
            derniere_rencontre = min(derniere_rencontre, dernier_contact)
        if profil.rencontre and not profil.contact and contact:
            # The meeting is late or soon due, but the phone kept the contact alive.
            dernier_contact = max(dernier_contact, derniere_rencontre)
        if profil.absences:
            dernier_contact = self.j - timedelta(days=20)
            derniere_rencontre = min(derniere_rencontre, dernier_contact)
        if profil.extra.get("absence_excusee"):  # room for the two absences before today
            dernier_contact = min(dernier_contact, self.j - timedelta(days=3))
            derniere_rencontre = min(derniere_rencontre, dernier_contact)
        dernier_contact = max(dernier_contact, acc.date_debut)
        derniere_rencontre = max(derniere_rencontre, acc.date_debut)
        self._historique(acc, acc.date_debut, dernier_contact, derniere_rencontre, profil)

    def _historique(self, acc, debut, dernier_contact, derniere_rencontre, profil):
        rng = self.rng
        limite = min(dernier_contact, derniere_rencontre) - timedelta(days=2)
        jour = debut + timedelta(days=2)
        pas_max = 28 if acc.modalite.code != "RSA_VEILLE" else 60
        premier = True
        while jour < limite:
            physique = premier or rng.random() < 0.55
            statut = rng.choices(
                [Entretien.Statut.HONORE, Entretien.Statut.ABSENT_EXCUSE, Entretien.Statut.ANNULE], [88, 8, 4]
            )[0]
            type_ = TypeEntretien.TRIPARTITE if premier else rng.choice(PHYSIQUES if physique else A_DISTANCE)
            self._entretien(acc, jour, type_, statut)
            premier = False
            jour += timedelta(days=rng.randint(7, pas_max))
        self._entretien(acc, derniere_rencontre, rng.choice(PHYSIQUES), Entretien.Statut.HONORE)
        if dernier_contact > derniere_rencontre:
            self._entretien(acc, dernier_contact, rng.choice(A_DISTANCE), Entretien.Statut.HONORE)
        if profil is None:
            return
        if profil.absences:  # two unexcused absences in a row after the last contact
            for jours in (13, 6):
                self._entretien(
                    acc, self.j - timedelta(days=jours), TypeEntretien.BUREAU, Entretien.Statut.ABSENT_NON_EXCUSE
                )
        if profil.extra.get("absence_excusee"):  # one unexcused, then an excused one: no report due
            self._entretien(acc, self.j - timedelta(days=2), TypeEntretien.BUREAU, Entretien.Statut.ABSENT_NON_EXCUSE)
            self._entretien(acc, self.j - timedelta(days=1), TypeEntretien.BUREAU, Entretien.Statut.ABSENT_EXCUSE)
        if profil.extra.get("rdv_a_qualifier"):  # its time has passed: to mark honoured or absent
            self._entretien(acc, self.j - timedelta(days=1), TypeEntretien.BUREAU, Entretien.Statut.PLANIFIE)
        if not profil.contact and not profil.rencontre and rng.random() < 0.5:
            self._entretien(
                acc, self.j + timedelta(days=rng.randint(2, 12)), TypeEntretien.BUREAU, Entretien.Statut.PLANIFIE
            )

    def _entretien(self, acc, jour, type_, statut):
        heure = time(self.rng.choice([9, 10, 11, 14, 15, 16]), self.rng.choice([0, 30]))
        moment = timezone.make_aware(datetime.combine(jour, heure))
        self.entretiens.append(
            Entretien(
                accompagnement=acc,
                type=type_,
                date_heure=moment,
                duree_minutes=self.rng.choice([20, 30, 45, 60]),
                statut=statut,
                lieu=acc.structure.nom if type_ == TypeEntretien.BUREAU else "",
                auteur=acc.referent,
                notes=self.rng.choice(noms.NOTES) if statut == Entretien.Statut.HONORE else "",
                cree_le=moment,
            )
        )

    # ---------------------------------------------------------------- contracts
    def _contrats(self, acc, regles, profil, duree):
        if not regles.type_contrat or profil.contrat == "AUCUN":
            return
        type_contrat = regles.type_contrat
        structure = acc.structure
        a_valider = type_contrat in Contrat.TYPES_A_VALIDER
        signe = Contrat.Etat.VALIDE if a_valider else Contrat.Etat.SIGNE
        preavis = self._delai(structure, "RENOUVELLEMENT_PREAVIS")
        if acc.modalite.code == "FJT_CONVENTION":
            etat = Contrat.Etat.EN_SIGNATURE if profil.extra.get("tripartite_a_signer") else Contrat.Etat.SIGNE
            self._contrat(acc, TypeContrat.TRIPARTITE, acc.date_debut, acc.date_debut + DUREE_SEJOUR_TIERS, etat)
        if profil.contrat == "CER_NON_SIGNE":  # only a draft, months after the orientation
            self._contrat(acc, type_contrat, acc.date_debut, acc.date_debut + duree, Contrat.Etat.BROUILLON)
            return
        chaine, d = [], acc.date_debut
        while d <= self.j:
            chaine.append((d, d + duree))
            d = d + duree
        if profil.contrat == "RENOUVELLEMENT":
            # The contract in force ends within the notice period: shift the history so it does.
            fin = self.j + timedelta(days=max(1, self._jours(preavis) // 2))
            chaine = [(self._veille_de(fin, duree), fin)]
            while chaine[0][0] > acc.date_debut:
                debut_prec = self._veille_de(chaine[0][0], duree)
                chaine.insert(0, (max(debut_prec, acc.date_debut), chaine[0][0]))
        if profil.contrat == "MANQUANT":  # the last one ended a few days ago and nothing followed
            while chaine and chaine[-1][1] > self.j - timedelta(days=5):
                chaine.pop()
            if not chaine:
                return
        precedent = None
        for n, (d, f) in enumerate(chaine):
            precedent = self._contrat(acc, type_contrat, d, f, signe, precedent=precedent, numero=n)
        if profil.contrat in ("RENOUVELLEMENT", "ASLL_DERNIER", "MANQUANT"):
            return
        courant_fin = chaine[-1][1]
        if profil.contrat == "VALIDATION":
            attente = self._delai(structure, "VALIDATION_ATTENTE_MAX")
            soumis = self.maintenant - attente - timedelta(days=6)
            self._contrat(
                acc, type_contrat, courant_fin, courant_fin + duree, Contrat.Etat.EN_VALIDATION,
                precedent=precedent, numero=len(chaine), soumis=soumis,
            )  # fmt: skip
        elif courant_fin <= self.j + preavis:
            # Renewal prepared on time: a draft successor starting on the previous one's end date.
            etat = Contrat.Etat.BROUILLON
            soumis = None
            if a_valider and self.rng.random() < 0.5:
                etat, soumis = Contrat.Etat.EN_VALIDATION, self.maintenant - timedelta(days=2)
            self._contrat(
                acc, type_contrat, courant_fin, courant_fin + duree, etat,
                precedent=precedent, numero=len(chaine), soumis=soumis,
            )  # fmt: skip

    def _contrat(self, acc, type_contrat, debut, fin, etat, *, precedent=None, numero=0, soumis=None):
        if soumis is None and etat == Contrat.Etat.VALIDE:
            soumis = timezone.make_aware(datetime.combine(debut - timedelta(days=10), time(10)))
        contrat = Contrat.objects.create(
            accompagnement=acc,
            type=type_contrat,
            date_debut=debut,
            date_fin=fin,
            etat=etat,
            precedent=precedent,
            numero_renouvellement=numero,
            date_soumission_validation=soumis,
            cree_par=acc.referent,
            partenaire=self.contacts[PARTENAIRE_DU_TYPE[type_contrat]] if type_contrat in PARTENAIRE_DU_TYPE else None,
        )
        self.a_figer.append(contrat)
        self.contrats_crees += 1
        return contrat

    def _figer_contrats(self, acc):
        """Once the measure's objectives and household exist: each contract gets its objectives and, when
        submitted, its frozen version, signatures and decision (demo/contrats.py)."""
        objectifs = list(Objectif.objects.filter(accompagnement=acc).order_by("pk"))
        responsable = {self.fjt: self.resp_fjt, self.relais: self.resp_relais, self.msvs: self.resp_msvs}[acc.structure]
        for i, contrat in enumerate(self.a_figer):
            contrats_demo.ecrire_objectifs(contrat, objectifs)
            if contrat.etat != Contrat.Etat.BROUILLON:
                contrats_demo.figer(
                    contrat,
                    responsable=responsable,
                    delegue=self.delegue,
                    maintenant=self.maintenant,
                    rendre=i >= len(self.a_figer) - PDF_PAR_MESURE,
                )

    # ---------------------------------------------------------------- partners, objectives, workshops
    def _entourage(self, acc, resident, profil):
        rng = self.rng
        if profil.extra.get("ase"):
            contact = self.contacts[TiersPartenaire.Type.ASE]
            CoReferent.objects.create(
                accompagnement=acc,
                contact=contact,
                role="éducatrice ASE (contrat jeune majeur)",
                date_debut=acc.date_debut,
            )
            Consentement.objects.create(
                resident=resident,
                tiers=contact.tiers,
                finalite="suivi éducatif du séjour et co-responsabilité de la fin de prise en charge",
                categories=[
                    Consentement.Categorie.PRESENCE,
                    Consentement.Categorie.OBJECTIFS,
                    Consentement.Categorie.CONTRATS,
                ],
                date_consentement=acc.date_debut,
                recueilli_par=acc.referent,
            )
        if profil.extra.get("partenaires"):
            for type_tiers, role in (
                (TiersPartenaire.Type.MISSION_LOCALE, "conseiller Mission Locale"),
                (TiersPartenaire.Type.BAILLEUR, "référente du bailleur"),
                (TiersPartenaire.Type.CHANTIER, "encadrant du chantier d'insertion"),
            ):
                contact = self.contacts[type_tiers]
                CoReferent.objects.create(accompagnement=acc, contact=contact, role=role, date_debut=acc.date_debut)
                Consentement.objects.create(
                    resident=resident,
                    tiers=contact.tiers,
                    finalite="coordination de l'accompagnement global (logement et emploi)",
                    categories=[Consentement.Categorie.IDENTITE, Consentement.Categorie.OBJECTIFS],
                    date_consentement=acc.date_debut,
                    recueilli_par=acc.referent,
                    # One person withdrew her consent to the bailleur: it sees nothing of her any more.
                    date_retrait=self.j - timedelta(days=10)
                    if type_tiers == TiersPartenaire.Type.BAILLEUR and len(self.residents) % 2
                    else None,
                )
        if profil.extra.get("conjoint"):
            menage = Menage.objects.create()
            resident.menage = menage
            resident.situation_familiale = Resident.SituationFamiliale.COUPLE
            resident.save()
            Resident.objects.create(
                structure=resident.structure,
                nom=resident.nom,
                prenom=rng.choice(noms.PRENOMS_H if resident.sexe == Resident.Sexe.FEMME else noms.PRENOMS_F),
                date_naissance=resident.date_naissance - timedelta(days=800),
                menage=menage,
                role_menage=Resident.RoleMenage.CONJOINT,
                situation_familiale=Resident.SituationFamiliale.COUPLE,
                adresse=resident.adresse,
                date_ouverture_rsa=resident.date_ouverture_rsa,
            )
        if acc.structure == self.relais and acc.referent == self.ref_asll and len(self.residents) % 4 == 0:
            CoReferent.objects.create(
                accompagnement=acc,
                user=self.ref_global,
                role="relais sur les démarches emploi",
                date_debut=acc.date_debut,
            )
        # Objectives, some already evaluated (évaluation partagée).
        for domaine, libelle, critere in rng.sample(OBJECTIFS, rng.randint(1, 3)):
            objectif = Objectif.objects.create(
                accompagnement=acc,
                domaine=domaine,
                libelle=libelle,
                critere=critere,
                echeance=self.j + timedelta(days=rng.randint(15, 120)),
                actions="Rendez-vous réguliers avec le référent ; démarches accompagnées si besoin.",
            )
            if rng.random() < 0.5:
                EvaluationObjectif.objects.create(
                    objectif=objectif,
                    date=self.j - timedelta(days=rng.randint(10, 60)),
                    niveau=rng.choice(EvaluationObjectif.Niveau.values),
                    competences="Prise d'initiative, respect des rendez-vous.",
                    parole_personne=rng.choice(PAROLES),
                    auteur=acc.referent,
                )

    def _objectifs_travailles(self):
        """Link a few recent entretiens to the objectives they worked on."""
        objectifs = {}
        for objectif in Objectif.objects.filter(accompagnement__structure__in=self.structures):
            objectifs.setdefault(objectif.accompagnement_id, []).append(objectif)
        for entretien in self.entretiens[::5]:
            liste = objectifs.get(entretien.accompagnement_id)
            if liste and entretien.statut == Entretien.Statut.HONORE:
                entretien.objectifs.add(liste[0])

    def _ateliers(self):
        """Workshops in the FJT and the MSVS, over the last months, with people who are up to date."""
        # A participation counts as a contact: the people whose contact is late on purpose stay away.
        a_jour = {}
        for resident in self.residents:
            profil = self.profils.get(resident.pk)
            if profil and not profil.contact and not profil.absences:
                a_jour.setdefault(resident.structure_id, []).append(resident)
        for structure, themes, animateur in (
            (self.fjt, ["Atelier cuisine à petit budget", "Ma première déclaration de revenus", "Trouver un logement après le FJT"], self.ref_fjt),
            (self.msvs, ["Atelier CV et lettre de motivation", "Mobilité : le permis et les aides", "Accès aux droits santé"], self.ref_rsa),
        ):  # fmt: skip
            candidats = a_jour.get(structure.pk, [])
            for i in range(6):
                jour = self.j - timedelta(days=30 * (i + 1) + 3)
                action = ActionCollective.objects.create(
                    structure=structure,
                    theme=themes[i % len(themes)],
                    date_heure=timezone.make_aware(datetime.combine(jour, time(14))),
                    duree_minutes=120,
                    lieu=f"Salle collective – {structure.nom}",
                    description="Action collective ouverte aux personnes accompagnées.",
                )
                action.animateurs.add(animateur)
                for resident in self.rng.sample(candidats, min(len(candidats), self.rng.randint(6, 8))):
                    Participation.objects.create(action=action, resident=resident)


OBJECTIFS = [
    ("EMPLOI", "Trouver un emploi ou une formation qualifiante", "trois candidatures par mois"),
    ("LOGEMENT", "Accéder à un logement autonome", "demande de logement social déposée"),
    ("BUDGET", "Tenir un budget mensuel", "aucun impayé de loyer sur trois mois"),
    ("SANTE", "Reprendre un suivi médical", "médecin traitant déclaré"),
    ("DEMARCHES", "Mettre à jour les droits CAF et sécurité sociale", "attestations à jour"),
    ("MOBILITE", "Obtenir le permis de conduire", "inscription en auto-école"),
    ("FORMATION", "Suivre une remise à niveau", "assiduité aux séances"),
    ("VIE_QUOTIDIENNE", "Entretenir son logement", "visite sans remarque"),
    ("VIE_SOCIALE", "Participer à une activité collective", "deux ateliers par mois"),
]

PAROLES = [
    "« Je me sens plus à l'aise pour appeler les administrations. »",
    "« J'ai encore du mal avec les papiers, mais j'avance. »",
    "« Le budget, ça va mieux depuis que je fais mes comptes chaque semaine. »",
    "« Je voudrais aller plus vite pour le logement. »",
]
