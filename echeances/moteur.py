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

The référentiel as of `le`: every value has dated versions (referentiel.regles); the engine uses the ones
in force on `le`. A rule changed from a date thus leaves every day before it as it was computed, and a
past day is computed with the rules of that day.

Readings of the rules, where the sources leave a choice:
- CONTACT / RENCONTRE_PHYSIQUE: only honoured entretiens up to `le` count (an absence is not a
  contact); a workshop participation of the person during the measure counts as a contact, never as a
  physical meeting; with no contact yet the clock starts at the measure's start. The interval is the one
  in force on `le`, for the whole period since the last contact: when a frequency changes between two
  meetings (every 6 weeks, then every month from the 15th), the next one is due the last meeting + the new
  interval from the day the new rule applies — a stricter rule can make a measure late on its first day;
  the administrator sees how many before saving it (echeances.impact). Phases: a modality with a
  phase_initiale_duree uses its phase_initiale_* intervals while `le` is within that duration of the
  measure's start, its usual ones from the day the duration is over (the due date then moves later with
  the longer interval); comités' « frequencies kept over the quarter » use the phase of their last day.
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
- NORME_FILE_ACTIVE: all the référent's active measures count (not only those of the given set), each
  weighing 1/norm of its modality (norme_file_active of the référentiel); one alert per référent when the
  sum, in full-time equivalents, is above their ETP (150 veille = ½ ETP, 300 veille + 80 mobilisation =
  2 ETP). Measures of a modality without a norm weigh nothing.
- ELIGIBILITE: age outside the modality's age_min/age_max (due the day the person leaves the range,
  « bientôt dû » from AGE_SORTIE_PREAVIS before it, nothing while she is inside it: the FJT's « 16-25
  first » (FJT_AGE_ALERTE) is a preference of admission, admissions/eligibilite.py), single parent or
  new entrant (RSA opened less than NOUVEL_ENTRANT_DUREE ago) in a modality that excludes them. Tiers' guarantees: regles_admissions.
- After an FJT admission (contrat de séjour, projet personnalisé, tiers' guarantees) and for a bail
  glissant: see echeances/regles_admissions.py (existing codes, told apart by their cause).
- VALIDATION_EN_ATTENTE: a contract to validate, submitted or deferred, due VALIDATION_ATTENTE_MAX
  after its submission; the délégués insertion of the territory must act.
- CER_A_REMPLACER: every CER signed and not ended (whenever it was signed: the contrat d'engagement
  replaces the CER since 2025, and those signed before must give way by then) is due on the
  référentiel's CER_REMPLACEMENT_AVANT (1 January 2027), one per contract family; it is gone when the
  CER ends or is broken, or when a signed contrat d'engagement of the measure starts at its end, on or
  before that day.
- The RSA parcours (regles_parcours), on people as well as measures: an RSA beneficiary without an
  orientation ORIENTATION_RSA_DELAI after her right opened (CONTRAT_MANQUANT, to the délégués), even
  with no measure; oriented towards a structure that has not assigned a référent yet, the first
  contract's délai (CER before 2025, contrat d'engagement since) runs from the decision all the same
  (CONTRAT_MANQUANT, to the structure's responsables); in a territory of the accompagnement rénové,
  CONVOCATION is due CONVOCATION_DELAI after the decision until a rendez-vous (not cancelled) exists on
  the measure opened from it; a pending request for réorientation is due REORIENTATION_REPONSE_DELAI
  after it was made (REORIENTATION_DEMANDEE, to the délégués).
- SANCTION_OBSERVATIONS / SANCTION_DECISION (the sanction procedure, regles_sanctions): once the person
  is informed she may present observations until the day she was informed + SANCTION_OBSERVATIONS_DELAI
  (that day is stored on the report, so a later change of the référentiel does not move a running
  délai); until that day included, SANCTION_OBSERVATIONS is due on it, for the délégués and the
  référent (her silence is not a delay of hers: no « en retard » for her). Once her observations are
  recorded, or from the day after the délai, SANCTION_DECISION (the équipe pluridisciplinaire's opinion,
  then the decision) is due SANCTION_DECISION_DELAI after the end of the délai (observations received
  early do not shorten the time the équipe has), for the délégués, until the decision. A report not yet told to the person, decided, or whose suspension runs has no échéance.

The past (`Contexte(le, historique=True)`: `manage.py echeances --as-of` a day before today; screens and
the daily job read the live tables). The base is read as it was recorded at the end of the local day
`le`, from the django-simple-history tables (echeances/historique.py; a snapshot per table, in
temporary tables: inside transaction.atomic()): measures, contracts, people (RSA
dates, orientation, birth date, family), orientation decisions, réorientation requests, entretiens,
workshops and participations, sanction reports, référents' ETP, FJT admissions (application, objectives,
tiers' guarantees, housing). So a contract signed or cancelled later, a measure closed later with an
earlier end, an orientation decided later with an earlier date, an entretien recorded later but dated
before `le` change nothing. Read as they are now: the référentiel's structures, modalities and
territories (the référentiel is read for `le` by Contexte), the recipients (délégués and responsables:
users' territories and structures are not historised), a row never recorded in history (a bulk load)
and what anonymisation rewrote in history too (identity; the birth date becomes 1 January).
"""

import operator

from . import (
    regles_admissions,
    regles_contacts,
    regles_contrats,
    regles_parcours,
    regles_personnes,
    regles_sanctions,
)
from .base import Contexte, Echeance, Etat, Regle, Requete, Suivi, etat_de, pire


def suivis(mesures, *, le, contexte=None):
    """{accompagnement_id: Suivi} for the active measures of the set, as of `le` (one query).
    `mesures`, here and below: a queryset of measures, or their ids.
    `contexte`: the référentiel already read for the day (Contexte(le)), when the caller makes several
    computations for one page."""
    contexte = contexte or Contexte(le)
    return {
        row["id"]: regles_contacts.suivi_de(row, contexte)
        for row in regles_contacts.lignes_suivis(Requete(mesures, contexte))
    }


def frequences_respectees(mesures, *, debut, le, contexte=None):
    """{accompagnement_id: bool} for the active measures of the set on `le`: were the contact and
    physical-meeting frequencies kept every day from `debut` to `le` (one query)? For the comités de suivi."""
    return regles_contacts.respect_frequences(Requete(mesures, contexte or Contexte(le)), debut)


def charges(mesures, *, le):
    """The caseload of each référent of the set per modality with a norm: {referent_id: [rows]}, each row
    with modalite_libelle, nb, norme, poids (nb / norme, in full-time equivalents), plafond (norme × ETP),
    and the référent's etp and charge_ponderee (the sum of the poids), exceeded or not (one query)."""
    par_referent = {}
    for row in regles_personnes.charges(Requete(mesures, Contexte(le))):
        par_referent.setdefault(row["referent_id"], []).append(row)
    return par_referent


_PRODUCTEURS = [
    regles_contacts.echeances,
    regles_contrats.renouvellements,
    regles_contrats.contrats_manquants,
    regles_contrats.orientations_manquantes,
    regles_contrats.validations_en_attente,
    regles_contrats.cer_a_remplacer,
    regles_personnes.absences,
    regles_personnes.normes_file_active,
    regles_personnes.eligibilites,
    regles_admissions.admissions,
    regles_admissions.glissements,
    regles_parcours.demandes_de_reorientation,
    regles_sanctions.sanctions,
]

# Rules on people rather than measures (the RSA parcours before a measure opens): run when `personnes` is given.
_PRODUCTEURS_PERSONNES = [
    regles_parcours.orientations_attendues,
    regles_parcours.orientations_decidees,
]


# C-level key: on the whole base a lambda was a fifth of the engine's Python time.
_ORDRE = operator.attrgetter("due_le", "regle", "cle")


def calculer(mesures, *, le, regles=None, etats=None, contexte=None, personnes=None):
    """Every échéance of the active measures of the set on day `le`, sorted by due date; with `personnes`
    (a queryset of people or their ids), also those of the parcours of these people (regles_parcours).
    `regles` limits the computation to some rule codes (a rule not asked for runs no query); `etats`
    keeps only some states (the daily job wants no « à jour » échéance: on the whole base they are most
    of them, and need not be held in memory)."""
    contexte = contexte or Contexte(le)
    requete = Requete(mesures, contexte)
    vues = {}
    a_lancer = [(producteur, requete) for producteur in _PRODUCTEURS]
    if personnes is not None:
        groupe = regles_parcours.Personnes(personnes, contexte)
        a_lancer += [(producteur, groupe) for producteur in _PRODUCTEURS_PERSONNES]
    for producteur, ensemble in a_lancer:
        if regles is not None and not set(producteur.regles) & set(regles):
            continue
        for echeance in producteur(ensemble):
            if (regles is None or echeance.regle in regles) and (etats is None or echeance.etat in etats):
                vues.setdefault(echeance.cle, echeance)  # one cause, one échéance
    return sorted(vues.values(), key=_ORDRE)


__all__ = [
    "Echeance",
    "Etat",
    "Regle",
    "Suivi",
    "calculer",
    "charges",
    "etat_de",
    "frequences_respectees",
    "pire",
    "suivis",
]
