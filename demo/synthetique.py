"""The synthetic base for the benchmarks: N people with their measures, entretiens, contracts and
workshops, written with PostgreSQL COPY (100,000 people and 3,000,000 entretiens in a few minutes).

Shape (what the benchmarks rely on; see the finders at the bottom):
- four territories « <PREFIXE> Épinal »… in département 88, so the demo's territories stay apart;
- one structure per ~1,000 measures (`PAR_STRUCTURE`: a manager's page), with one responsable,
  one référent per ~80 measures (`PAR_REFERENT`: a file active), one délégué insertion and one
  conseiller·ère logement per territory; accounts have unusable passwords (use force_login);
- one measure per person, started over the last 18 months, ~8 % already closed (none of the first
  référent's), ~10 % with no contact for weeks (overdue), two absences in a row now and then, contract
  chains with renewals in preparation, pending validations and a few missing contracts;
- the first person of the first référent has `GRAND_DOSSIER` entretiens (a dossier of 500), objectives
  with an evaluation, a co-referent, objectives worked on and colleagues present (garnir_grand_dossier).

History tables (django-simple-history) are not written: the benchmarks measure the live tables, and
a history of generated rows would only double the volume.
"""

import math
import os
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accompagnement.models import Accompagnement, ActionCollective, Entretien, Objectif, Participation, TypeEntretien
from accounts.models import Role, User
from contrats.models import Contrat
from referentiel.delais import relativedelta_de
from referentiel.models import Departement, Modalite, Structure, Territoire
from referentiel.regles import parametres_par_territoire, regles_par_territoire
from residents.models import Resident
from residents.texte import cle_recherche

from . import noms
from .copie import NULL, Copie, reserver_ids, texte
from .purge import purger

PAR_STRUCTURE = 1000
PAR_REFERENT = 80
GRAND_DOSSIER = 500
HISTORIQUE = 548  # days: 18 months of history
TERRITOIRES = ["Épinal", "Saint-Dié-des-Vosges", "Remiremont", "Neufchâteau"]
TYPES_STRUCTURE = [Structure.Type.MSVS, Structure.Type.MSVS, Structure.Type.ASSOCIATION, Structure.Type.FJT]
MODALITES = {
    Structure.Type.MSVS: (["RSA_SOCIOPRO", "RSA_MOBILISATION", "RSA_VEILLE"], [45, 30, 25]),
    Structure.Type.ASSOCIATION: (["ASLL", "GLOBAL"], [70, 30]),
    Structure.Type.FJT: (["FJT_REGULIER", "FJT_CONVENTION", "FJT_PONCTUEL"], [80, 10, 10]),
}
# The référentiel gives no length to a projet personnalisé (« per project »): the generated ones last a year.
DUREE_PROJET = relativedelta(years=1)
TYPES = (
    [
        TypeEntretien.BUREAU,
        TypeEntretien.TELEPHONE,
        TypeEntretien.VAD,
        TypeEntretien.MESSAGE,
        TypeEntretien.VISIO,
        TypeEntretien.ACCOMPAGNEMENT_DEMARCHE,
        TypeEntretien.TRIPARTITE,
        TypeEntretien.LIEU_TRAVAIL,
    ],
    [35, 28, 10, 10, 5, 6, 3, 3],
)
STATUTS = (
    [
        Entretien.Statut.HONORE,
        Entretien.Statut.ABSENT_EXCUSE,
        Entretien.Statut.ABSENT_NON_EXCUSE,
        Entretien.Statut.ANNULE,
    ],
    [86, 5, 5, 4],
)
DUREES = ["15", "20", "30", "45", "60", "90"]
HEURES = [f"{h:02d}:{m:02d}:00+00" for h in range(7, 17) for m in (0, 15, 30, 45)]
THEMES = ["Atelier budget", "Atelier cuisine", "Recherche d'emploi", "Accès aux droits", "Mobilité", "Santé"]


@dataclass
class Resume:
    prefixe: str
    personnes: int
    accompagnements: int
    entretiens: int
    contrats: int
    participations: int
    reutilisee: bool
    secondes: float


def entretiens_attendus(personnes, par_personne):
    """Each person has `par_personne` entretiens, except the big dossier (`GRAND_DOSSIER`)."""
    if personnes == 0:
        return 0
    return personnes * par_personne + max(0, GRAND_DOSSIER - par_personne)


def prefixe_courant():
    """The prefix `manage.py bench` is running with (benchmarks call the finders without one)."""
    return os.environ.get("BENCH_PREFIXE", "SYN")


def _login(prefixe):
    return (prefixe or prefixe_courant()).lower() + "-"


def territoires(prefixe=None):
    return Territoire.objects.filter(departement__code="88", nom__startswith=f"{prefixe or prefixe_courant()} ")


def structures(prefixe=None):
    return Structure.objects.filter(territoire__in=territoires(prefixe))


def referent_exemple(prefixe=None):
    """A référent with a full file active (`PAR_REFERENT` measures, all open)."""
    return User.objects.get(username=f"{_login(prefixe)}s001-ref01")


def responsable_exemple(prefixe=None):
    """The manager of a structure of ~1,000 measures."""
    return User.objects.get(username=f"{_login(prefixe)}s001-resp")


def delegue_exemple(prefixe=None):
    return User.objects.get(username=f"{_login(prefixe)}t1-delegue")


def grand_dossier(prefixe=None):
    """The person with `GRAND_DOSSIER` entretiens."""
    return Resident.objects.get(pk=accompagnements(prefixe).order_by("pk").values("resident_id")[:1])


def accompagnements(prefixe=None):
    return Accompagnement.objects.filter(structure__in=structures(prefixe))


def etat_base(prefixe):
    """(people, entretiens) of the synthetic base with this prefix, (0, 0) if none."""
    personnes = Resident.objects.filter(structure__in=structures(prefixe)).count()
    if not personnes:
        return 0, 0
    return personnes, Entretien.objects.filter(accompagnement__in=accompagnements(prefixe)).count()


def supprimer(prefixe):
    """Remove a synthetic base and everything that points at it (other apps' rows included)."""
    login = _login(prefixe)
    with transaction.atomic():
        ids_structures = list(structures(prefixe).values_list("pk", flat=True))
        ids_territoires = list(territoires(prefixe).values_list("pk", flat=True))
        if ids_structures:
            liste = ",".join(str(i) for i in ids_structures)
            purger(Resident, f"structure_id IN ({liste})")
            purger(Accompagnement, f"structure_id IN ({liste})")
            purger(ActionCollective, f"structure_id IN ({liste})")
        purger(User, "username LIKE %s", [login.replace("_", r"\_") + "%"])
        if ids_structures:
            purger(Structure, f"id IN ({liste})")
        if ids_territoires:
            purger(Territoire, f"id IN ({','.join(str(i) for i in ids_territoires)})")


def generer(*, personnes, par_personne=30, prefixe="SYN", recreer=False, graine=88, sortie=print):
    """Build (or reuse) the synthetic base; returns a Resume."""
    debut = time.monotonic()
    attendu = (personnes, entretiens_attendus(personnes, par_personne))
    existant = etat_base(prefixe)
    if existant == attendu and not recreer:
        sortie(f"Base synthétique « {prefixe} » réutilisée : {existant[0]} personnes, {existant[1]} entretiens.")
        garnir_grand_dossier(prefixe)  # a base generated before it was
        return _resume(prefixe, reutilisee=True, debut=debut)
    if existant != (0, 0):
        sortie(f"Suppression de la base synthétique « {prefixe} » existante ({existant[0]} personnes)…")
        supprimer(prefixe)
    with transaction.atomic():
        _Generateur(personnes, par_personne, prefixe, random.Random(graine), sortie).executer()
        garnir_grand_dossier(prefixe)
    with connection.cursor() as cursor:
        for table in tables_analysees():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return _resume(prefixe, reutilisee=False, debut=debut)


def tables_analysees():
    """The tables analysed after the bulk load (as autovacuum would soon do): the small ones (structures,
    territories) are left as a new installation has them, never analysed (echeances.statistiques)."""
    return [
        m._meta.db_table for m in (Resident, Accompagnement, Entretien, Contrat, ActionCollective, Participation, User)
    ]


OBJECTIFS_DU_GRAND_DOSSIER = [
    (Objectif.Domaine.EMPLOI, "Trouver un emploi à temps partiel", "trois candidatures par mois"),
    (Objectif.Domaine.LOGEMENT, "Constituer le dossier de demande de logement social", "dossier déposé"),
    (Objectif.Domaine.BUDGET, "Solder la dette de loyer", "plan d'apurement respecté trois mois"),
]


def garnir_grand_dossier(prefixe=None):
    """What a followed person's file holds besides its entretiens, so that the dossier benchmark renders a
    real page: three objectives with an evaluation, a colleague co-referent, objectives worked on in a third
    of the entretiens and the colleague present in a tenth. Once (a reused base gets it the first time)."""
    from accompagnement.models import CoReferent, EvaluationObjectif

    mesure = Accompagnement.objects.filter(resident=grand_dossier(prefixe)).order_by("pk").first()
    if mesure.objectifs.exists():
        return
    collegue = (
        User.objects.filter(structures=mesure.structure, role=Role.REFERENT)
        .exclude(pk=mesure.referent_id)
        .order_by("pk")
        .first()
    )
    objectifs = Objectif.objects.bulk_create(
        Objectif(accompagnement=mesure, domaine=domaine, libelle=libelle, critere=critere)
        for domaine, libelle, critere in OBJECTIFS_DU_GRAND_DOSSIER
    )
    EvaluationObjectif.objects.bulk_create(
        EvaluationObjectif(
            objectif=o,
            niveau=EvaluationObjectif.Niveau.AMORCE,
            parole_personne="J'avance, doucement.",
            auteur_id=mesure.referent_id,
        )
        for o in objectifs
    )
    entretiens = list(mesure.entretiens.order_by("pk").values_list("pk", flat=True))
    Entretien.objectifs.through.objects.bulk_create(
        Entretien.objectifs.through(entretien_id=e, objectif_id=objectifs[i % len(objectifs)].pk)
        for i, e in enumerate(entretiens)
        if i % 3 == 0
    )
    if collegue:
        CoReferent.objects.create(
            accompagnement=mesure, user=collegue, role="co-référente", date_debut=mesure.date_debut
        )
        Entretien.participants.through.objects.bulk_create(
            Entretien.participants.through(entretien_id=e, user_id=collegue.pk)
            for i, e in enumerate(entretiens)
            if i % 10 == 0
        )


def _resume(prefixe, *, reutilisee, debut):
    accs = accompagnements(prefixe)
    return Resume(
        prefixe=prefixe,
        personnes=Resident.objects.filter(structure__in=structures(prefixe)).count(),
        accompagnements=accs.count(),
        entretiens=Entretien.objects.filter(accompagnement__in=accs).count(),
        contrats=Contrat.objects.filter(accompagnement__in=accs).count(),
        participations=Participation.objects.filter(action__structure__in=structures(prefixe)).count(),
        reutilisee=reutilisee,
        secondes=time.monotonic() - debut,
    )


class _Generateur:
    def __init__(self, personnes, par_personne, prefixe, rng, sortie):
        self.n = personnes
        self.k = par_personne
        self.prefixe = prefixe
        self.login = _login(prefixe)
        self.rng = rng
        self.sortie = sortie
        self.aujourdhui = timezone.localdate()
        self.modalites = {m.code: m for m in Modalite.objects.all()}
        self._dates = {}

    def _date(self, jour):
        """ISO text of a date, cached: the whole base uses a few hundred distinct days."""
        texte_date = self._dates.get(jour)
        if texte_date is None:
            texte_date = self._dates[jour] = jour.isoformat()
        return texte_date

    def _etape(self, libelle, depuis):
        self.sortie(f"  {libelle} ({time.monotonic() - depuis:.1f} s)")

    def executer(self):
        t = time.monotonic()
        self._organisation()
        self._etape(f"{len(self.structures)} structures, {len(self.referents)} référents", t)
        self._personnes_et_mesures()
        self._etape(f"{self.n} personnes et mesures", t)
        self._entretiens()
        self._etape("entretiens", t)
        self._contrats()
        self._etape("contrats", t)
        self._ateliers()
        self._etape("actions collectives", t)

    # Organisation: territories, structures, accounts (few rows: the ORM's bulk_create is enough).
    def _organisation(self):
        departement, _ = Departement.objects.get_or_create(code="88", defaults={"nom": "Vosges"})
        self.territoires = Territoire.objects.bulk_create(
            [Territoire(departement=departement, nom=f"{self.prefixe} {nom}") for nom in TERRITOIRES]
        )
        nb_structures = max(1, math.ceil(self.n / PAR_STRUCTURE))
        self.structures = Structure.objects.bulk_create(
            [
                Structure(
                    nom=f"{self.prefixe} {TYPES_STRUCTURE[i % 4].label} {i + 1:03d}",
                    type=TYPES_STRUCTURE[i % 4],
                    territoire=self.territoires[i % len(self.territoires)],
                    adresse=noms.adresse(self.rng),
                )
                for i in range(nb_structures)
            ]
        )
        mot_de_passe = make_password(None)  # unusable: benchmarks log in with force_login
        comptes, membres = [], []
        self.referents = {}  # (structure index, référent index) -> User
        for i, structure in enumerate(self.structures):
            taille = min(PAR_STRUCTURE, self.n - i * PAR_STRUCTURE)
            responsable = self._compte(f"s{i + 1:03d}-resp", Role.RESPONSABLE, mot_de_passe)
            comptes.append(responsable)
            membres.append((responsable, structure))
            for r in range(max(1, math.ceil(taille / PAR_REFERENT))):
                referent = self._compte(f"s{i + 1:03d}-ref{r + 1:02d}", Role.REFERENT, mot_de_passe)
                referent.etp = self.rng.choice(["1.00", "1.00", "1.00", "0.80", "0.50"])
                self.referents[(i, r)] = referent
                comptes.append(referent)
                membres.append((referent, structure))
        agents = []
        for t, territoire in enumerate(self.territoires):
            for suffixe, role in (("delegue", Role.DELEGUE), ("logement", Role.CONSEILLER_LOGEMENT)):
                agent = self._compte(f"t{t + 1}-{suffixe}", role, mot_de_passe)
                comptes.append(agent)
                agents.append((agent, territoire))
        User.objects.bulk_create(comptes)
        User.structures.through.objects.bulk_create(
            [User.structures.through(user_id=u.pk, structure_id=s.pk) for u, s in membres]
        )
        User.territoires.through.objects.bulk_create(
            [User.territoires.through(user_id=u.pk, territoire_id=t.pk) for u, t in agents]
        )
        self.regles = regles_par_territoire(self.territoires)
        parametres = parametres_par_territoire(self.territoires)
        self.preavis = {t.pk: relativedelta_de(parametres[(t.pk, "RENOUVELLEMENT_PREAVIS")]) for t in self.territoires}

    def _compte(self, suffixe, role, mot_de_passe):
        prenom = self.rng.choice(noms.PRENOMS_F + noms.PRENOMS_H)
        nom = self.rng.choice(noms.NOMS)
        return User(
            username=f"{self.login}{suffixe}",
            first_name=prenom,
            last_name=nom,
            email=f"{self.login}{suffixe}@exemple.fr",
            role=role,
            password=mot_de_passe,
        )

    def _personnes_et_mesures(self):
        rng, j = self.rng, self.aujourdhui
        ids_residents = reserver_ids(Resident, self.n)
        ids_mesures = reserver_ids(Accompagnement, self.n)
        self.mesures = []  # (id, structure index, modalite code, referent, début, fin)
        colonnes_r = [
            "id",
            "structure_id",
            "nom",
            "prenom",
            "nom_recherche",
            "date_naissance",
            "sexe",
            "telephone",
            "adresse",
            "situation_familiale",
            "enfants_a_charge",
            "residence_id",
            "logement",
            "date_ouverture_rsa",
            "orientation_id",
            "date_orientation",
        ]
        colonnes_a = [
            "id",
            "resident_id",
            "modalite_id",
            "referent_id",
            "structure_id",
            "date_debut",
            "date_fin",
            "motif_fin",
        ]
        # One COPY at a time on a connection: the measures wait in memory while the people are copied.
        lignes_a = []
        with Copie(Resident, colonnes_r) as copie_r:
            for p in range(self.n):
                s, rang = divmod(p, PAR_STRUCTURE)
                structure = self.structures[s]
                codes, poids = MODALITES[structure.type]
                code = rng.choices(codes, poids)[0]
                modalite = self.modalites[code]
                referent = self.referents[(s, rang // PAR_REFERENT)]
                debut = j - timedelta(days=rng.randint(30, HISTORIQUE))
                fin = None
                # The first référent's measures all stay open: the benchmark's file active of 80 measures.
                if rng.random() < 0.08 and p >= PAR_REFERENT:
                    fin = j - timedelta(days=rng.randint(1, max(1, (j - debut).days - 1)))
                femme = rng.random() < 0.55
                prenom = rng.choice(noms.PRENOMS_F if femme else noms.PRENOMS_H)
                nom = rng.choice(noms.NOMS)
                fjt = structure.type == Structure.Type.FJT
                age = rng.randint(17, 29) if fjt else rng.randint(22, 62)
                naissance = j - timedelta(days=age * 365 + rng.randint(0, 360))
                couple = rng.random() < 0.25
                enfants = rng.choice([0, 0, 0, 1, 2, 3]) if not fjt else 0
                ouverture = orientation = date_orientation = None
                if modalite.champ == "INSERTION":
                    ouverture = debut - timedelta(days=rng.randint(20, 70))
                    date_orientation = ouverture + timedelta(days=rng.randint(5, (debut - ouverture).days))
                    orientation = modalite.pk
                copie_r.ligne(
                    "\t".join(
                        (
                            str(ids_residents[p]),
                            str(structure.pk),
                            texte(nom),
                            texte(prenom),
                            cle_recherche(f"{nom} {prenom}"),
                            self._date(naissance),
                            "F" if femme else "H",
                            noms.telephone(rng),
                            texte(noms.adresse(rng)),
                            "COUPLE" if couple else "SEUL",
                            str(enfants),
                            str(structure.pk) if fjt else NULL,
                            str(rng.randint(1, 80)) if fjt else "",
                            self._date(ouverture) if ouverture else NULL,
                            str(orientation) if orientation else NULL,
                            self._date(date_orientation) if date_orientation else NULL,
                        )
                    )
                )
                lignes_a.append(
                    "\t".join(
                        (
                            str(ids_mesures[p]),
                            str(ids_residents[p]),
                            str(modalite.pk),
                            str(referent.pk),
                            str(structure.pk),
                            self._date(debut),
                            self._date(fin) if fin else NULL,
                            "OBJECTIFS_ATTEINTS" if fin else "",
                        )
                    )
                )
                self.mesures.append((ids_mesures[p], s, code, referent.pk, debut, fin))
        with Copie(Accompagnement, colonnes_a) as copie_a:
            for ligne in lignes_a:
                copie_a.ligne(ligne)
        self.ids_residents = ids_residents

    def _entretiens(self):
        rng, j = self.rng, self.aujourdhui
        colonnes = ["accompagnement_id", "type", "date_heure", "duree_minutes", "statut", "auteur_id", "notes"]
        notes = [texte(n) for n in noms.NOTES]
        absent, planifie = (
            Entretien.Statut.ABSENT_NON_EXCUSE,
            Entretien.Statut.PLANIFIE,
        )
        with Copie(Entretien, colonnes) as copie:
            for index, (mesure, _s, code, referent, debut, fin) in enumerate(self.mesures):
                k = GRAND_DOSSIER if index == 0 and self.k < GRAND_DOSSIER else self.k
                if k == 0:
                    continue
                fin_historique = fin or j
                tirage = rng.random()
                futurs = 0
                if fin is None and tirage < 0.10:  # overdue on purpose: nothing for weeks
                    fin_historique = max(debut, j - timedelta(days=rng.randint(20, 90)))
                elif fin is None and tirage < 0.40 and k >= 2:  # a rendez-vous is planned
                    futurs = 1
                etendue = max(1, (fin_historique - debut).days)
                base = debut.toordinal()
                decalages = sorted(rng.randrange(etendue + 1) for _ in range(k - futurs))
                types = rng.choices(*TYPES, k=k)
                statuts = rng.choices(*STATUTS, k=k)
                durees = rng.choices(DUREES, k=k)
                heures = rng.choices(HEURES, k=k)
                textes = rng.choices(notes, k=k)
                if code.startswith("RSA") and fin is None and tirage > 0.97 and k >= 3:
                    statuts[k - futurs - 1] = statuts[k - futurs - 2] = absent  # two absences in a row
                prefixe_ligne = f"{mesure}\t"
                for i in range(k - futurs):
                    jour = self._date(date.fromordinal(base + decalages[i]))
                    copie.ligne(
                        f"{prefixe_ligne}{types[i]}\t{jour} {heures[i]}\t{durees[i]}\t{statuts[i]}\t{referent}\t{textes[i]}"
                    )
                for i in range(k - futurs, k):
                    jour = self._date(j + timedelta(days=rng.randint(1, 20)))
                    copie.ligne(f"{prefixe_ligne}{types[i]}\t{jour} {heures[i]}\t{durees[i]}\t{planifie}\t{referent}\t")
                if index == 0:
                    self.sortie(f"  grand dossier : {k} entretiens")

    def _contrats(self):
        rng, j = self.rng, self.aujourdhui
        chaines = []
        for mesure, s, code, referent, debut, fin in self.mesures:
            territoire = self.structures[s].territoire_id
            regles = self.regles[(territoire, self.modalites[code].pk)]
            if not regles.type_contrat:
                continue
            duree = relativedelta_de(regles.duree_contrat) if regles.duree_contrat else DUREE_PROJET
            a_valider = regles.type_contrat in Contrat.TYPES_A_VALIDER
            signe = Contrat.Etat.VALIDE if a_valider else Contrat.Etat.SIGNE
            limite = fin or j
            chaine, d, n = [], debut, 0
            while d <= limite and (regles.renouvellements_max is None or n <= regles.renouvellements_max):
                chaine.append([d, d + duree, n, signe, None])
                d, n = d + duree, n + 1
            if fin is None and chaine:
                courant = chaine[-1]
                tirage = rng.random()
                if tirage < 0.02:  # a missing contract: the current one was never signed
                    chaine.pop()
                elif (
                    courant[1] <= j + self.preavis[territoire]
                    and tirage < 0.80
                    and (regles.renouvellements_max is None or courant[2] < regles.renouvellements_max)
                ):
                    etat, soumis = Contrat.Etat.BROUILLON, None
                    if a_valider and rng.random() < 0.5:
                        etat = Contrat.Etat.EN_VALIDATION
                        soumis = timezone.now() - timedelta(days=rng.randint(1, 25))
                    chaine.append([courant[1], courant[1] + duree, courant[2] + 1, etat, soumis])
            chaines.append((mesure, regles.type_contrat, referent, chaine))
        ids = iter(reserver_ids(Contrat, sum(len(c[3]) for c in chaines)))
        colonnes = [
            "id",
            "accompagnement_id",
            "type",
            "date_debut",
            "date_fin",
            "etat",
            "precedent_id",
            "numero_renouvellement",
            "date_soumission_validation",
            "cree_par_id",
        ]
        with Copie(Contrat, colonnes) as copie:
            for mesure, type_contrat, referent, chaine in chaines:
                precedent = NULL
                for d, f, n, etat, soumis in chaine:
                    pk = str(next(ids))
                    copie.ligne(
                        f"{pk}\t{mesure}\t{type_contrat}\t{self._date(d)}\t{self._date(f)}\t{etat}\t{precedent}\t{n}\t"
                        f"{soumis.isoformat() if soumis else NULL}\t{referent}"
                    )
                    precedent = pk

    def _ateliers(self):
        """A workshop every two weeks in each structure, 6 to 10 participants each."""
        rng, j = self.rng, self.aujourdhui
        animateurs = []
        actions = []
        for s, structure in enumerate(self.structures):
            premiers = self.ids_residents[s * PAR_STRUCTURE : (s + 1) * PAR_STRUCTURE]
            for semaine in range(0, HISTORIQUE, 14):
                jour = j - timedelta(days=HISTORIQUE - semaine)
                participants = rng.sample(premiers, min(len(premiers), rng.randint(6, 10)))
                actions.append((structure.pk, jour, rng.choice(THEMES), participants))
                animateurs.append(self.referents[(s, 0)].pk)
        ids = reserver_ids(ActionCollective, len(actions))
        through = ActionCollective.animateurs.through
        with Copie(ActionCollective, ["id", "structure_id", "theme", "date_heure", "duree_minutes", "lieu"]) as copie:
            for pk, (structure, jour, theme, _participants) in zip(ids, actions, strict=True):
                copie.ligne(f"{pk}\t{structure}\t{texte(theme)}\t{self._date(jour)} 13:30:00+00\t120\tsalle commune")
        with Copie(through, ["actioncollective_id", "user_id"]) as copie:
            for pk, animateur in zip(ids, animateurs, strict=True):
                copie.ligne(f"{pk}\t{animateur}")
        with Copie(Participation, ["action_id", "resident_id"]) as copie:
            for pk, (_structure, _jour, _theme, participants) in zip(ids, actions, strict=True):
                for resident in participants:
                    copie.ligne(f"{pk}\t{resident}")
