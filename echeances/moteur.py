"""The échéance engine: the only place where a due date is computed (domain.md §6).

For any set of measures (a dossier, a caseload, a structure, the whole base) and any day `le`, it
says which rule applies, to whom, on which person and measure, by when, and how urgent it is.
Screens, the `echeances` command and the daily job all call it, so they never disagree.

Set-based: each rule is one SQL query over the whole set (CTEs, window functions); the référentiel's
effective values are passed in as arrays, and PostgreSQL adds the ISO 8601 délais itself
(`date + 'P1M'::interval` adds calendar months like relativedelta). No query runs per person.

State of an échéance (same for every rule): due before `le` → EN_RETARD; due on `le` or within the
référentiel's BIENTOT_DU window → BIENTOT; later → A_JOUR. The day of a threshold is therefore the
last day to act (BIENTOT) and the day after it is EN_RETARD.

Readings of the rules, where the sources leave a choice:
- CONTACT / RENCONTRE_PHYSIQUE: only honoured entretiens up to `le` count (an absence is not a
  contact); a workshop participation of the person during the measure counts as a contact, never as a
  physical meeting; with no contact yet the clock starts at the measure's start.
- RENOUVELLEMENT: due one RENOUVELLEMENT_PREAVIS before the end of the contract in force, unless a
  successor (linked renewal or later contract of the measure) is alive. For the ASLL the message says
  whether one more renewal is allowed (renouvellements_max) or the measure must end.
- CONTRAT_MANQUANT: a modality whose effective type_contrat is set needs a contract in force (for the
  RSA a CER or a contrat d'engagement). Due at the end of the previous contract, or, for a first RSA
  contract, CER_SIGNATURE_DELAI after the orientation when it was decided before 2025-01-01 (loi plein
  emploi not in force) and CONTRAT_ENGAGEMENT_SIGNATURE_DELAI after it otherwise; else at the start of
  the measure. A contract signed and waiting for validation is left to VALIDATION_EN_ATTENTE.
  No orientation ORIENTATION_RSA_DELAI after the RSA right opened is reported on the person's measures.
- ABSENCES: the last ABSENCES_SUCCESSIVES entretiens of an RSA measure that took place or were missed
  (cancelled and still-planned ones are ignored) are all unexcused; the cause includes the last absence,
  so a new series raises a new alert; a sanction report covering that absence ends it.
- NORME_FILE_ACTIVE: all the référent's active measures count (not only those of the given set).
- ELIGIBILITE: age outside the modality's age_min/age_max (due the day the person leaves the range;
  for the FJT a warning from FJT_AGE_ALERTE on), single parent or new entrant (RSA opened less than
  NOUVEL_ENTRANT_DUREE ago) in a modality that excludes them. Tiers' guarantees are not recorded yet.
- VALIDATION_EN_ATTENTE: a contract to validate, submitted or deferred, due VALIDATION_ATTENTE_MAX
  after its submission; the délégués insertion of the territory must act.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.urls import NoReverseMatch, reverse

from referentiel.delais import libelle_delai, relativedelta_de
from referentiel.regles import parametres_par_territoire, regles_par_territoire


class Etat(models.TextChoices):
    A_JOUR = "A_JOUR", "à jour"
    BIENTOT = "BIENTOT", "bientôt dû"
    EN_RETARD = "EN_RETARD", "en retard"


# Worst first, to pick the worst of two states.
_GRAVITE = {Etat.A_JOUR: 0, Etat.BIENTOT: 1, Etat.EN_RETARD: 2}


class Regle(models.TextChoices):
    CONTACT = "CONTACT", "contact"
    RENCONTRE_PHYSIQUE = "RENCONTRE_PHYSIQUE", "rencontre physique"
    RENOUVELLEMENT = "RENOUVELLEMENT", "renouvellement du contrat"
    CONTRAT_MANQUANT = "CONTRAT_MANQUANT", "contrat manquant"
    ABSENCES = "ABSENCES", "absences non excusées"
    NORME_FILE_ACTIVE = "NORME_FILE_ACTIVE", "file active au-dessus de la norme"
    ELIGIBILITE = "ELIGIBILITE", "éligibilité"
    VALIDATION_EN_ATTENTE = "VALIDATION_EN_ATTENTE", "validation en attente"


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


@dataclass(frozen=True)
class Echeance:
    """One thing someone must do by a date. `cle` identifies its cause (stable from one day to the next)."""

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
        """Where it is done; pages of other apps may not exist yet, so fall back step by step."""
        for name, kwargs in self._cibles():
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
        return ""

    def _cibles(self):
        if self.regle == Regle.ABSENCES and self.accompagnement_id:
            yield "echeances:signalement_nouveau", {"accompagnement": self.accompagnement_id}
        if self.regle == Regle.NORME_FILE_ACTIVE:
            yield "echeances:structure", {}
        if self.contrat_id:
            yield "contrats:detail", {"pk": self.contrat_id}
        if self.resident_id:
            yield "residents:dossier", {"pk": self.resident_id}
        yield "echeances:a_faire", {}

    @property
    def etat_label(self):
        return Etat(self.etat).label

    @property
    def regle_label(self):
        return Regle(self.regle).label


def etat_de(due_le, le, fenetre):
    """The state of a due date on day `le`; `fenetre` is the BIENTOT_DU relativedelta."""
    if due_le is None:
        return None
    if due_le < le:
        return Etat.EN_RETARD
    if due_le <= le + fenetre:
        return Etat.BIENTOT
    return Etat.A_JOUR


def pire(*etats):
    etats = [e for e in etats if e]
    return max(etats, key=_GRAVITE.__getitem__) if etats else Etat.A_JOUR


# --- the référentiel, passed to SQL -------------------------------------------------------------


class Contexte:
    """Effective référentiel values for every territory, read once per computation (a few queries)."""

    def __init__(self, le):
        self.le = le
        self.regles = regles_par_territoire()
        self.parametres = parametres_par_territoire()
        self._fenetres = {}

    def parametre(self, territoire_id, code):
        try:
            return self.parametres[(territoire_id, code)]
        except KeyError:
            raise LookupError(f"Le paramètre {code} est absent du référentiel.") from None

    def fenetre(self, territoire_id):
        if territoire_id not in self._fenetres:
            self._fenetres[territoire_id] = relativedelta_de(self.parametre(territoire_id, "BIENTOT_DU"))
        return self._fenetres[territoire_id]

    def etat(self, due_le, territoire_id):
        return etat_de(due_le, self.le, self.fenetre(territoire_id))

    def tableau_regles(self):
        """Arrays (one per column) of the per-(territoire, modalite) values, for `unnest()` in SQL."""
        cols = {k: [] for k in ("t", "m", "ic", "ir", "tc", "norme", "renouv", "amin", "amax")}
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
        return cols

    def tableau_parametres(self, codes):
        """Arrays of per-territory parameters (délais as ISO text, cast to interval in SQL)."""
        territoires = sorted({t for (t, _m) in self.regles})
        cols = {"pt": territoires}
        for code in codes:
            cols[code.lower()] = [str(self.parametre(t, code)) for t in territoires]
        return cols


# --- SQL building blocks ------------------------------------------------------------------------

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
        %(norme)s::int[], %(renouv)s::int[], %(amin)s::int[], %(amax)s::int[]
    ) AS r(territoire_id, modalite_id, i_contact, i_rencontre, type_contrat, norme, renouv_max, age_min, age_max)
),
acc AS (
    SELECT a.id, a.resident_id, a.referent_id, a.structure_id, a.modalite_id, a.date_debut,
           s.territoire_id, m.champ, m.code AS modalite_code, m.libelle AS modalite_libelle,
           m.exclut_parent_isole, m.exclut_nouvel_entrant,
           r.i_contact::interval AS i_contact, r.i_rencontre::interval AS i_rencontre,
           r.type_contrat, r.norme, r.renouv_max, r.age_min, r.age_max
    FROM accompagnement_accompagnement a
    JOIN referentiel_structure s ON s.id = a.structure_id
    JOIN referentiel_modalite m ON m.id = a.modalite_id AND m.accompagnee_ici
    LEFT JOIN regle r ON r.territoire_id = s.territoire_id AND r.modalite_id = a.modalite_id
    WHERE a.id IN ({ids})
      AND a.date_debut <= %(le)s AND (a.date_fin IS NULL OR a.date_fin >= %(le)s)
)"""


class Requete:
    """Runs the engine's SQL for one set of measures and one day."""

    def __init__(self, accompagnements_qs, contexte):
        self.contexte = contexte
        self.le = contexte.le
        try:
            self.ids_sql, self.params = _sous_requete(accompagnements_qs)
        except EmptyResultSet:
            self.ids_sql = None
            self.params = {}
        self.params.update(contexte.tableau_regles())
        # Entretiens are stored in UTC; a contact counts on its local day.
        self.params.update(le=self.le, tz=settings.TIME_ZONE)

    @property
    def vide(self):
        return self.ids_sql is None

    def lignes(self, sql, extra=None):
        """Rows (as dicts) of `WITH <base CTEs>, <sql>`."""
        if self.vide:
            return []
        params = dict(self.params, **(extra or {}))
        text = "WITH " + _CTE_BASE.format(ids=self.ids_sql) + "," + sql
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_SQL_SUIVIS = """
ent AS (
    SELECT e.accompagnement_id AS id,
           max(e.date_heure) AS dernier,
           max(e.date_heure) FILTER (WHERE e.physique) AS derniere_rencontre
    FROM accompagnement_entretien e
    WHERE e.accompagnement_id IN (SELECT id FROM acc)
      -- before the end of the local day `le`: the past as seen that day
      AND e.statut = 'HONORE' AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    GROUP BY e.accompagnement_id
),
atelier AS (
    SELECT acc.id, max(ac.date_heure) AS dernier
    FROM acc
    JOIN accompagnement_participation p ON p.resident_id = acc.resident_id
    JOIN accompagnement_actioncollective ac ON ac.id = p.action_id
    WHERE ac.date_heure >= (acc.date_debut::timestamp AT TIME ZONE %(tz)s)
      AND ac.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    GROUP BY acc.id
),
dates AS (
    SELECT acc.*,
           (greatest(ent.dernier, atelier.dernier) AT TIME ZONE %(tz)s)::date AS dernier_contact,
           (ent.derniere_rencontre AT TIME ZONE %(tz)s)::date AS derniere_rencontre
    FROM acc
    LEFT JOIN ent ON ent.id = acc.id
    LEFT JOIN atelier ON atelier.id = acc.id
)
SELECT id, resident_id, referent_id, structure_id, territoire_id, modalite_id, modalite_libelle,
       dernier_contact, derniere_rencontre,
       (coalesce(dernier_contact, date_debut) + i_contact)::date AS prochain_contact,
       (coalesce(derniere_rencontre, date_debut) + i_rencontre)::date AS prochaine_rencontre,
       i_contact IS NOT NULL AS a_contact, i_rencontre IS NOT NULL AS a_rencontre
FROM dates
"""


def _lignes_suivis(requete):
    return requete.lignes(_SQL_SUIVIS)


def _suivi(row, contexte):
    etat_contact = contexte.etat(row["prochain_contact"], row["territoire_id"])
    etat_rencontre = contexte.etat(row["prochaine_rencontre"], row["territoire_id"])
    return Suivi(
        accompagnement_id=row["id"],
        dernier_contact=row["dernier_contact"],
        derniere_rencontre=row["derniere_rencontre"],
        prochain_contact=row["prochain_contact"],
        prochaine_rencontre=row["prochaine_rencontre"],
        etat_contact=etat_contact,
        etat_rencontre=etat_rencontre,
        etat=pire(etat_contact, etat_rencontre),
    )


def suivis(accompagnements_qs, *, le):
    """{accompagnement_id: Suivi} for the active measures of the set, as of `le` (one query)."""
    contexte = Contexte(le)
    return {row["id"]: _suivi(row, contexte) for row in _lignes_suivis(Requete(accompagnements_qs, contexte))}


def _date(d):
    return d.strftime("%d/%m/%Y")


def _echeances_contact(requete):
    contexte = requete.contexte
    for row in _lignes_suivis(requete):
        commun = {
            "accompagnement_id": row["id"],
            "resident_id": row["resident_id"],
            "referent_id": row["referent_id"],
            "structure_id": row["structure_id"],
            "territoire_id": row["territoire_id"],
            "destinataires": (row["referent_id"],),
        }
        regles = contexte.regles
        if row["prochain_contact"]:
            intervalle = _intervalle(regles, row, "intervalle_contact")
            yield Echeance(
                regle=Regle.CONTACT,
                cle=f"CONTACT:{row['id']}",
                due_le=row["prochain_contact"],
                etat=contexte.etat(row["prochain_contact"], row["territoire_id"]),
                message=(
                    f"Prendre contact au plus tard le {_date(row['prochain_contact'])} "
                    f"({row['modalite_libelle']} : un contact tous les {intervalle})."
                ),
                **commun,
            )
        if row["prochaine_rencontre"]:
            intervalle = _intervalle(regles, row, "intervalle_rencontre")
            yield Echeance(
                regle=Regle.RENCONTRE_PHYSIQUE,
                cle=f"RENCONTRE_PHYSIQUE:{row['id']}",
                due_le=row["prochaine_rencontre"],
                etat=contexte.etat(row["prochaine_rencontre"], row["territoire_id"]),
                message=(
                    f"Rencontrer la personne au plus tard le {_date(row['prochaine_rencontre'])} "
                    f"({row['modalite_libelle']} : une rencontre physique tous les {intervalle})."
                ),
                **commun,
            )


def _intervalle(regles, row, nom):
    return libelle_delai(getattr(regles[(row["territoire_id"], row["modalite_id"])], nom))


_PRODUCTEURS = [_echeances_contact]


def calculer(accompagnements_qs, *, le, regles=None):
    """Every échéance of the active measures of the set on day `le`, sorted by due date.
    `regles` limits the computation to some rule codes."""
    contexte = Contexte(le)
    requete = Requete(accompagnements_qs, contexte)
    vues = {}
    for producteur in _PRODUCTEURS:
        for echeance in producteur(requete):
            if regles is not None and echeance.regle not in regles:
                continue
            vues.setdefault(echeance.cle, echeance)  # one cause, one échéance
    return sorted(vues.values(), key=lambda e: (e.due_le, e.regle, e.cle))


__all__ = ["Echeance", "Etat", "Regle", "Suivi", "calculer", "etat_de", "pire", "suivis"]
