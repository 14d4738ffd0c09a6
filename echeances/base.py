"""What the engine is made of: states, rules, the échéance record, and the SQL each rule builds on.
See echeances/moteur.py for the readings of the rules."""

import datetime
import functools
import re
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Role, User
from contrats.models import Contrat
from referentiel.delais import relativedelta_de
from referentiel.regles import referentiel_en_vigueur

from .choix import Etat, Regle
from .historique import Instantane


def url_de(regle, *, accompagnement_id=None, resident_id=None, contrat_id=None):
    """Where an échéance (or the alert it became) is dealt with: screens, the digest, the alert list."""
    if regle == Regle.ABSENCES and accompagnement_id:
        return reverse("echeances:signalement_nouveau", kwargs={"accompagnement": accompagnement_id})
    if regle in (Regle.SANCTION_OBSERVATIONS, Regle.SANCTION_DECISION) and accompagnement_id:
        return reverse("echeances:signalements") + f"?mesure={accompagnement_id}"
    if regle == Regle.NORME_FILE_ACTIVE:
        return reverse("echeances:structure")
    if regle == Regle.REORIENTATION_DEMANDEE:
        return reverse("accompagnement:demandes_reorientation")
    if contrat_id:
        return reverse("contrats:detail", kwargs={"pk": contrat_id})
    if resident_id:
        return reverse("residents:dossier", kwargs={"pk": resident_id})
    return reverse("echeances:a_faire")


@dataclass(frozen=True)
class Suivi:
    """Contact follow-up of one measure as of a day."""

    accompagnement_id: int
    dernier_contact: datetime.date | None
    derniere_rencontre: datetime.date | None
    prochain_contact: datetime.date | None
    prochaine_rencontre: datetime.date | None
    etat_contact: str | None
    etat_rencontre: str | None
    etat: str


@dataclass(slots=True)
class Echeance:
    """One thing someone must do by a date. `cle` identifies its cause (stable from one day to the next).
    Treated as a value but not frozen: a frozen dataclass's __init__ is three times slower, which
    shows on a whole-base run (140,000 échéances)."""

    regle: str
    cle: str
    accompagnement_id: int | None
    resident_id: int | None
    referent_id: int | None
    structure_id: int | None
    due_le: datetime.date
    etat: str
    message: str
    destinataires: tuple = ()
    contrat_id: int | None = None
    entretien_ids: tuple = ()
    territoire_id: int | None = None
    details: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def url(self):
        return url_de(
            self.regle,
            accompagnement_id=self.accompagnement_id,
            resident_id=self.resident_id,
            contrat_id=self.contrat_id,
        )

    @property
    def etat_label(self):
        return Etat(self.etat).label

    @property
    def regle_label(self):
        return Regle(self.regle).label


def etat_de(due_le, le, limite):
    """The state of a due date on day `le`; `limite` is the last day still « bientôt dû » (`le` + the
    BIENTOT_DU window)."""
    if due_le is None:
        return None
    if due_le < le:
        return Etat.EN_RETARD
    if due_le <= limite:
        return Etat.BIENTOT
    return Etat.A_JOUR


@functools.lru_cache(maxsize=4096)
def date_fr(d):
    """dd/mm/yyyy; cached because a whole-base run formats the same few hundred dates 100,000 times."""
    return d.strftime("%d/%m/%Y")


@functools.lru_cache(maxsize=4096)
def date_cle(d):
    """The date as it appears in an échéance's `cle` (yyyymmdd)."""
    return d.strftime("%Y%m%d")


def pire(*etats):
    return Etat.le_pire([e for e in etats if e])


# --- the référentiel, passed to SQL -------------------------------------------------------------


class Contexte:
    """Effective référentiel values for every territory (referentiel_en_vigueur: one query unless it changed)."""

    def __init__(self, le, *, referentiel=None, historique=False, lignes_lues=None):
        self.le = le
        # The référentiel as it is in force on the day computed (issue 20): a rule changed from a date
        # applies from that date, and a past day is computed with the rules of that day. `referentiel`:
        # (territoires, règles, paramètres) read otherwise (a proposed version: echeances.impact).
        _territoires, self.regles, self.parametres = referentiel or referentiel_en_vigueur(le)
        self.loi_plein_emploi = self.parametre(None, "CONTRAT_ENGAGEMENT_DEPUIS")
        self.historique = Instantane(le) if historique else None  # the base as it was at the end of `le`
        self._limites = {}
        # Rows of the rules' queries on a restricted set, by statement and parameters: a page asks the same
        # one twice (the dossier's suivi table and its échéances both read SQL_SUIVIS). A context serves one
        # reading. `lignes_lues` given: shared with another context, kept for the whole base too (the impact
        # of a version runs once what it does not change; echeances.impact).
        self.lignes_lues = {} if lignes_lues is None else lignes_lues
        self.garder_tout = lignes_lues is not None
        self._delegues = None
        self._responsables = None
        self.frequences = {}  # regles_contacts: the rule behind each (territory, modality, phase)

    def parametre(self, territoire_id, code):
        try:
            return self.parametres[(territoire_id, code)]
        except KeyError:
            raise LookupError(f"Le paramètre {code} est absent du référentiel.") from None

    def limite(self, territoire_id):
        """`le` + the BIENTOT_DU window, added once per territory: relativedelta arithmetic per row was
        most of the engine's Python time on 100,000 measures."""
        if territoire_id not in self._limites:
            fenetre = relativedelta_de(self.parametre(territoire_id, "BIENTOT_DU"))
            self._limites[territoire_id] = self.le + fenetre
        return self._limites[territoire_id]

    def etat(self, due_le, territoire_id):
        """etat_de() with the territory's window; inlined because a whole-base run asks it 140,000 times."""
        if due_le is None:
            return None
        if due_le < self.le:
            return Etat.EN_RETARD
        limite = self._limites.get(territoire_id) or self.limite(territoire_id)
        return Etat.BIENTOT if due_le <= limite else Etat.A_JOUR

    def tableaux(self):
        """tableau_regles() and tableau_parametres() as PostgreSQL array text, made once per reading of
        the référentiel: every rule's query sends them, and adapting twenty lists again for each query
        was 40 % of the engine's time on a dossier. The SQL casts them (`%(t)s::bigint[]`)."""
        lu = _TABLEAUX[0]
        if lu is None or lu[0] is not self.regles or lu[1] is not self.parametres:
            colonnes = {**self.tableau_regles(), **self.tableau_parametres()}
            lu = _TABLEAUX[0] = (self.regles, self.parametres, {k: tableau_pg(v) for k, v in colonnes.items()})
        return lu[2]

    def tableau_regles(self):
        """Arrays (one per column) of the per-(territoire, modalite) values, for `unnest()` in SQL."""
        cols = {k: [] for k in ("t", "m", "ic", "ir", "tc", "norme", "renouv", "amin", "amax", "pd", "pc", "pr")}
        for (territoire_id, modalite_id), r in self.regles.items():
            cols["t"].append(territoire_id)
            cols["m"].append(modalite_id)
            cols["ic"].append(r.intervalle_contact or None)
            cols["ir"].append(r.intervalle_rencontre or None)
            cols["tc"].append(r.type_contrat or None)
            cols["norme"].append(r.norme_file_active)
            cols["renouv"].append(r.renouvellements_max)
            cols["amin"].append(r.age_min)
            cols["amax"].append(r.age_max)
            cols["pd"].append(r.phase_initiale_duree or None)
            cols["pc"].append(r.phase_initiale_contact or None)
            cols["pr"].append(r.phase_initiale_rencontre or None)
        return cols

    def tableau_parametres(self):
        """Arrays of per-territory parameters (délais as ISO text, cast to interval in SQL)."""
        territoires = sorted({t for (t, _m) in self.regles})
        cols = {"pt": territoires}
        for code in PARAMETRES_SQL:
            cols[f"p_{code.lower()}"] = [str(self.parametre(t, code)) for t in territoires]
        return cols

    def delegues(self, territoire_id):
        """Ids of the active délégués insertion of a territory (one query for all territories)."""
        if self._delegues is None:
            self._delegues = _par_cle(
                User.objects.actifs().filter(role=Role.DELEGUE).values_list("territoires", "pk").order_by("pk")
            )
        return self._delegues.get(territoire_id, ())

    def responsables(self, structure_id):
        """Ids of the active responsables of a structure (one query for all structures)."""
        if self._responsables is None:
            self._responsables = _par_cle(
                User.objects.actifs().filter(role=Role.RESPONSABLE).values_list("structures", "pk").order_by("pk")
            )
        return self._responsables.get(structure_id, ())


# (regles, parametres, their arrays as text) of the last référentiel read: referentiel_en_vigueur() hands
# out the same objects until the référentiel changes.
_TABLEAUX = [None]


def tableau_pg(valeurs):
    """A list as PostgreSQL array text: [1, None, "P1M"] → '{1,NULL,"P1M"}'."""
    return "{" + ",".join(_element_pg(v) for v in valeurs) + "}"


def _element_pg(valeur):
    if valeur is None:
        return "NULL"
    if isinstance(valeur, bool):
        return "t" if valeur else "f"
    if isinstance(valeur, int):
        return str(valeur)
    texte = str(valeur).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{texte}"'


def _par_cle(pairs):
    result = {}
    for key, value in pairs:
        if key is not None:
            result.setdefault(key, ())
            result[key] += (value,)
    return result


# Per-territory parameters every rule's SQL can read (as columns p_<code> of `acc`).
PARAMETRES_SQL = (
    "RENOUVELLEMENT_PREAVIS",
    "VALIDATION_ATTENTE_MAX",
    "ORIENTATION_RSA_DELAI",
    "CER_SIGNATURE_DELAI",
    "CONTRAT_ENGAGEMENT_SIGNATURE_DELAI",
    "NOUVEL_ENTRANT_DUREE",
    "ABSENCES_SUCCESSIVES",
    "AGE_SORTIE_PREAVIS",
    # not in `param` (_CTE_BASE): read by their own rules only (regles_contrats, regles_parcours)
    "CER_REMPLACEMENT_AVANT",
    "CONVOCATION_DELAI",
    "REORIENTATION_REPONSE_DELAI",
    # likewise, read by regles_sanctions only
    "SANCTION_DECISION_DELAI",
)


# --- SQL building blocks ------------------------------------------------------------------------

# Python's dates stop at 9999-12-31, PostgreSQL's do not: a due date computed from an out-of-range date
# already in the base (born 9999-12-31, + 31 years) could not be read back (« date too large ») and took
# down the dossier, the structure's « À faire » and the daily job. Every date the rules compute and return
# goes through this clamp: the échéance then reads 31/12/9999 (or 01/01/0001), a date nobody takes for a
# real one, next to the faulty date in its message, instead of a crash.
DATE_MIN_SQL = "DATE '0001-01-01'"
DATE_MAX_SQL = "DATE '9999-12-31'"


def date_bornee(expression):
    """SQL: `expression` as a date, clamped to what Python can represent; NULL stays NULL (which
    least()/greatest() would not keep: they skip NULLs)."""
    d = f"({expression})::date"
    return (
        f"CASE WHEN {d} > {DATE_MAX_SQL} THEN {DATE_MAX_SQL} WHEN {d} < {DATE_MIN_SQL} THEN {DATE_MIN_SQL} ELSE {d} END"
    )


_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _sous_requete(accompagnements_qs):
    """The queryset's ids as SQL with named parameters (so that it composes with ours)."""
    sql, params = accompagnements_qs.order_by().values("pk").query.sql_with_params()
    named = {}
    counter = iter(range(len(params)))

    def rename(_match):
        i = next(counter)
        named[f"qs{i}"] = params[i]
        return f"%(qs{i})s"

    return _PLACEHOLDER.sub(rename, sql), named


_CTE_BASE = """
regle AS (
    SELECT * FROM unnest(
        %(t)s::bigint[], %(m)s::bigint[], %(ic)s::text[], %(ir)s::text[], %(tc)s::text[],
        %(norme)s::int[], %(renouv)s::int[], %(amin)s::int[], %(amax)s::int[],
        %(pd)s::text[], %(pc)s::text[], %(pr)s::text[]
    ) AS r(territoire_id, modalite_id, i_contact, i_rencontre, type_contrat, norme, renouv_max, age_min, age_max,
           phase_duree, phase_contact, phase_rencontre)
),
param AS (
    SELECT * FROM unnest(
        %(pt)s::bigint[], %(p_renouvellement_preavis)s::text[], %(p_validation_attente_max)s::text[],
        %(p_orientation_rsa_delai)s::text[], %(p_cer_signature_delai)s::text[],
        %(p_contrat_engagement_signature_delai)s::text[], %(p_nouvel_entrant_duree)s::text[],
        %(p_absences_successives)s::text[], %(p_age_sortie_preavis)s::text[]
    ) AS p(territoire_id, preavis, attente_max, orientation_delai, cer_delai, ce_delai, nouvel_entrant_duree,
           nb_absences, age_preavis)
),
acc AS {materialisation} (
    SELECT a.id, a.resident_id, a.referent_id, a.structure_id, a.modalite_id, a.date_debut,
           s.territoire_id, m.champ, m.code AS modalite_code, m.libelle AS modalite_libelle,
           m.exclut_parent_isole, m.exclut_nouvel_entrant,
           -- the frequencies of the phase the measure is in on `le` (moteur.py, « phases »)
           ph.initiale AS en_phase_initiale,
           (CASE WHEN ph.initiale THEN coalesce(r.phase_contact, r.i_contact) ELSE r.i_contact END)::interval
               AS i_contact,
           (CASE WHEN ph.initiale THEN coalesce(r.phase_rencontre, r.i_rencontre) ELSE r.i_rencontre END)::interval
               AS i_rencontre,
           r.type_contrat, r.norme, r.renouv_max, r.age_min, r.age_max,
           p.preavis::interval AS preavis, p.attente_max::interval AS attente_max,
           p.orientation_delai::interval AS orientation_delai, p.cer_delai::interval AS cer_delai,
           p.ce_delai::interval AS ce_delai, p.nouvel_entrant_duree::interval AS nouvel_entrant_duree,
           p.nb_absences::int AS nb_absences, p.age_preavis::interval AS age_preavis
    FROM accompagnement_accompagnement a
    JOIN referentiel_structure s ON s.id = a.structure_id
    JOIN param p ON p.territoire_id = s.territoire_id
    JOIN referentiel_modalite m ON m.id = a.modalite_id AND m.accompagnee_ici
    LEFT JOIN regle r ON r.territoire_id = s.territoire_id AND r.modalite_id = a.modalite_id
    CROSS JOIN LATERAL (
        SELECT coalesce(%(le)s < a.date_debut + r.phase_duree::interval, false) AS initiale
    ) ph
    WHERE {filtre_ids}
      AND a.date_debut <= %(le)s AND (a.date_fin IS NULL OR a.date_fin >= %(le)s)
)"""


# Up to this many measures (a dossier, an entretien's re-sync, a référent's caseload, a page of the API's
# échéances) the rules' statements are prepared on the server: the same ten run all day, and planning them
# was ¾ of their time (a dossier's échéances: 18 ms → 7 ms; 250 measures: 60 → 37 ms; 500: 87 → 75 ms).
# A larger set (the whole base) is planned each time, for its own size.
PREPARER_JUSQU_A = 500


class _CurseurPrepare(psycopg.Cursor):
    """Server-side binding, statement prepared (Django's cursors bind on the client: nothing to prepare)."""

    def execute(self, query, params=None, **kwargs):
        return super().execute(query, params, prepare=True, **kwargs)


class _JournalPrepare(CursorDebugWrapper):
    """Django's debug wrapper reads back the SQL psycopg sent, which a prepared execution does not keep:
    the statement is logged as written."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return super(CursorDebugWrapper, self).execute(sql, params)


def _curseur_prepare():
    connection.ensure_connection()
    brut = _CurseurPrepare(connection.connection)
    # In Django's wrappers: its error classes, and the query counted by the tests' pins and the benches.
    return _JournalPrepare(brut, connection) if connection.queries_logged else connection.make_cursor(brut)


class Requete:
    """Runs the engine's SQL for one set of measures and one day. The set is a queryset of measures or
    their ids (a list, a tuple, a set)."""

    def __init__(self, accompagnements, contexte):
        self.contexte = contexte
        self.le = contexte.le
        self.params = {}
        self.preparer = False
        if isinstance(accompagnements, QuerySet) and not accompagnements.query.where:
            # The whole base (the daily job): `acc` is not materialised, writing out tens of MB costs more
            # than recomputing it in each place it is used.
            self.materialisation = "NOT MATERIALIZED"
            sous_requete, self.params = _sous_requete(accompagnements)
            self.filtre_ids = f"a.id IN ({sous_requete})"
        elif isinstance(accompagnements, QuerySet) and contexte.historique:
            # The caller's filters (a structure, a référent) apply to the measures as they were that day.
            self.materialisation = "MATERIALIZED"
            sous_requete, self.params = _sous_requete(accompagnements)
            self.filtre_ids = f"a.id IN ({sous_requete})"
        else:
            # A restricted set (a dossier, a caseload, a committee): its ids are read once, here, rather than
            # by each rule's query re-running the caller's filters, and `acc` is materialised so that every
            # join starts from its few rows.
            if isinstance(accompagnements, QuerySet):
                accompagnements = accompagnements.order_by().values_list("pk", flat=True)
            ids = sorted(set(accompagnements))
            self.materialisation = "MATERIALIZED"
            self.filtre_ids = "a.id = ANY(%(ids)s::bigint[])" if ids else None
            # As array text, like the référentiel's arrays: psycopg adapted the list of a structure's
            # thousand ids again for each of the rules' queries (a tenth of its échéances' time).
            self.params["ids"] = tableau_pg(ids)
            # (not a snapshot's statements: their temporary tables are of one context)
            self.preparer = len(ids) <= PREPARER_JUSQU_A and not contexte.historique
        self.params.update(contexte.tableaux())
        # Entretiens are stored in UTC; a contact counts on its local day.
        self.params.update(le=self.le, tz=settings.TIME_ZONE)
        self.params.update(
            en_vigueur=[str(e) for e in Contrat.ETATS_EN_VIGUEUR],
            en_attente=[Contrat.Etat.EN_VALIDATION.value, Contrat.Etat.DIFFERE.value],
            morts=[Contrat.Etat.ANNULE.value, Contrat.Etat.REFUSE.value],
            en_preparation=[str(e) for e in Contrat.ETATS_EN_PREPARATION],
            a_valider=[str(t) for t in Contrat.TYPES_A_VALIDER],
            loi_plein_emploi=contexte.loi_plein_emploi,
        )

    @property
    def vide(self):
        return self.filtre_ids is None

    def texte(self, sql, avant=""):
        """The whole statement: `WITH <base CTEs>, <avant>, <sql>` (also read by the plan tests)."""
        corps = (
            _CTE_BASE.format(filtre_ids=self.filtre_ids, materialisation=self.materialisation)
            + ","
            + (avant + "," if avant else "")
            + sql
        )
        return "WITH " + (self.contexte.historique.ombres(corps) if self.contexte.historique else "") + corps

    def parametres(self, extra=None):
        return dict(self.params, **(extra or {}))

    def lignes(self, sql, extra=None, avant=""):
        """Rows (as dicts) of `WITH <base CTEs>, <avant>, <sql>`; `avant` holds shared CTEs."""
        if self.vide:
            return []
        params = self.parametres(extra)
        text = self.texte(sql, avant)
        cle = None
        if "ids" in self.params or self.contexte.garder_tout:  # the whole base's rows are not kept otherwise
            cle = (text, repr(sorted(params.items())))
            if cle in self.contexte.lignes_lues:
                return self.contexte.lignes_lues[cle]
        with _curseur_prepare() if self.preparer else connection.cursor() as cursor:
            cursor.execute(text, params)
            names = [c.name for c in cursor.description]
            lignes = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if cle is not None:
            self.contexte.lignes_lues[cle] = lignes
        return lignes
