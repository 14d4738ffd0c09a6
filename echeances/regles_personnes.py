"""ABSENCES, NORME_FILE_ACTIVE and ELIGIBILITE: one query each."""

from .base import Echeance, Etat, Regle, date_bornee, date_fr
from .regles_contrats import commun

# The last N entretiens that took place or were missed (cancelled and still-planned ones say nothing
# about the person's presence), from the most recent, up to the end of the day `le`: read per measure by
# its index (LIMIT N), rather than ranking all of them. On a structure's 900 measures 60 → 18 ms; on the
# whole base about 1 s more for the morning run (3 s), which is far from its bound and runs once a day.
_SQL_ABSENCES = """
dernieres AS (
    SELECT acc.*, d.ids, d.derniere_id, d.derniere_le
    FROM acc
    CROSS JOIN LATERAL (
        SELECT array_agg(s.id ORDER BY s.date_heure) AS ids,
               (array_agg(s.id ORDER BY s.date_heure DESC, s.id DESC))[1] AS derniere_id,
               (max(s.date_heure) AT TIME ZONE %(tz)s)::date AS derniere_le
        FROM (
            SELECT e.id, e.statut, e.date_heure
            FROM accompagnement_entretien e
            WHERE e.accompagnement_id = acc.id
              AND e.statut IN ('HONORE', 'ABSENT_EXCUSE', 'ABSENT_NON_EXCUSE')
              AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
            ORDER BY e.date_heure DESC, e.id DESC
            LIMIT acc.nb_absences
        ) s
        HAVING count(*) = acc.nb_absences AND bool_and(s.statut = 'ABSENT_NON_EXCUSE')
    ) d
    WHERE acc.champ = 'INSERTION'
)
-- the measure's columns carried through: joined back to `acc`, a whole-base run without statistics
-- re-read the measures for each row
SELECT d.* FROM dernieres d
WHERE NOT EXISTS (SELECT 1 FROM echeances_signalementsanction sg WHERE sg.derniere_absence_id = d.derniere_id)
"""


def absences(requete):
    for row in requete.lignes(_SQL_ABSENCES):
        yield Echeance(
            regle=Regle.ABSENCES,
            cle=f"ABSENCES:{row['id']}:{row['derniere_id']}",
            due_le=row["derniere_le"],
            etat=requete.contexte.etat(row["derniere_le"], row["territoire_id"]),
            message=(
                f"{len(row['ids'])} absences successives non excusées (dernière le {date_fr(row['derniere_le'])}) : "
                "adresser un signalement motivé au délégué insertion."
            ),
            entretien_ids=tuple(row["ids"]),
            **commun(row),
        )


absences.regles = (Regle.ABSENCES,)


# Every active measure of the référents of the set counts, not only those of the set. A référent who
# combines modalities is judged on a weighted caseload (issue 19 §6, seed 003: « 150 suivis pour ½ ETP si
# la fonction est combinée »): each measure weighs 1/norm of its modality, in the référentiel (veille 1/300,
# mobilisation 1/80…), and the sum, in full-time equivalents, is compared with the référent's ETP. One row
# per modality with a norm (the detail the screen shows), each carrying the référent's weighted total.
# The sum is rounded to 9 decimals before the comparison: 1/70 + … is not exact in numeric, and a caseload
# exactly at the ETP must not read as over it (a real excess is far larger than 1e-9).
_SQL_NORME = """
charge AS (
    SELECT a.referent_id, a.modalite_id, min(s.territoire_id) AS territoire_id,
           min(a.structure_id) AS structure_id, count(*) AS nb
    FROM accompagnement_accompagnement a
    JOIN referentiel_structure s ON s.id = a.structure_id
    WHERE a.referent_id IN (SELECT referent_id FROM acc)
      AND a.date_debut <= %(le)s AND (a.date_fin IS NULL OR a.date_fin >= %(le)s)
    GROUP BY a.referent_id, a.modalite_id
),
ponderee AS (
    SELECT charge.*, u.etp, r.norme, m.libelle AS modalite_libelle, m.ordre,
           floor(r.norme * u.etp)::int AS plafond,
           charge.nb::numeric / r.norme AS poids,
           round(sum(charge.nb::numeric / r.norme) OVER (PARTITION BY charge.referent_id), 9) AS charge_ponderee
    FROM charge
    JOIN accounts_user u ON u.id = charge.referent_id
    JOIN referentiel_modalite m ON m.id = charge.modalite_id
    JOIN regle r ON r.territoire_id = charge.territoire_id AND r.modalite_id = charge.modalite_id
    WHERE r.norme IS NOT NULL AND r.norme > 0
)
SELECT * FROM ponderee
WHERE NOT %(depassees)s OR charge_ponderee > etp
ORDER BY referent_id, ordre, modalite_libelle
"""


def charges(requete):
    """Every référent's caseload per modality that has a norm (nb, norme, poids = nb / norme in ETP,
    plafond = norme × ETP), each row with the référent's weighted total (charge_ponderee) and ETP: the
    manager's screen."""
    return requete.lignes(_SQL_NORME, {"depassees": False})


def etp_fr(valeur):
    """A number of full-time equivalents as the screens write it: 1,27."""
    return f"{valeur:.2f}".replace(".", ",")


def normes_file_active(requete):
    """One échéance per référent whose weighted caseload is above their ETP."""
    contexte = requete.contexte
    par_referent = {}
    for row in requete.lignes(_SQL_NORME, {"depassees": True}):
        par_referent.setdefault(row["referent_id"], []).append(row)
    for referent_id, rows in par_referent.items():
        premiere = rows[0]
        structure_id = min(r["structure_id"] for r in rows)
        detail = ", ".join(
            f"{r['modalite_libelle']} {r['nb']} pour {r['norme']} par temps plein ({etp_fr(r['poids'])} ETP)"
            for r in rows
        )
        yield Echeance(
            regle=Regle.NORME_FILE_ACTIVE,
            cle=f"NORME_FILE_ACTIVE:{referent_id}",
            accompagnement_id=None,
            resident_id=None,
            referent_id=referent_id,
            structure_id=structure_id,
            territoire_id=min(r["territoire_id"] for r in rows),
            due_le=contexte.le,
            # The norm is already exceeded: nothing to wait for.
            etat=Etat.EN_RETARD,
            message=(
                f"File active pondérée de {etp_fr(premiere['charge_ponderee'])} ETP pour "
                f"{etp_fr(premiere['etp'])} ETP : {detail}."
            ),
            destinataires=(*contexte.responsables(structure_id), referent_id),
            details={
                "charge_ponderee": premiere["charge_ponderee"],
                "etp": premiere["etp"],
                "par_modalite": [
                    {"modalite_id": r["modalite_id"], "nb": r["nb"], "norme": r["norme"], "poids": r["poids"]}
                    for r in rows
                ],
            },
        )


normes_file_active.regles = (Regle.NORME_FILE_ACTIVE,)


_SQL_ELIGIBILITE = f"""
e AS (
    SELECT acc.*, r.date_naissance, r.date_ouverture_rsa,
           date_part('year', age(%(le)s::date, r.date_naissance))::int AS age,
           (r.enfants_a_charge > 0 AND r.situation_familiale <> 'COUPLE') AS parent_isole
    FROM acc JOIN residents_resident r ON r.id = acc.resident_id
    WHERE acc.age_min IS NOT NULL OR acc.age_max IS NOT NULL
       OR acc.exclut_parent_isole OR acc.exclut_nouvel_entrant
)
SELECT e.*,
       {date_bornee("date_naissance + make_interval(years => age_max + 1)")} AS sortie_age,
       {date_bornee("date_naissance + make_interval(years => age_max + 1) - age_preavis")} AS debut_preavis_age,
       {date_bornee("date_ouverture_rsa + nouvel_entrant_duree")} AS fin_nouvel_entrant
FROM e
WHERE (age_min IS NOT NULL AND age < age_min)
   OR (age_max IS NOT NULL AND (age > age_max
       OR (date_naissance + make_interval(years => age_max + 1) - age_preavis)::date <= %(le)s))
   OR (exclut_parent_isole AND parent_isole)
   OR (exclut_nouvel_entrant AND date_ouverture_rsa IS NOT NULL
       AND (date_ouverture_rsa + nouvel_entrant_duree)::date > %(le)s)
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def eligibilites(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_ELIGIBILITE):
        yield from _eligibilite(row, contexte)


def _eligibilite(row, contexte):
    libelle = row["modalite_libelle"]

    def echeance(motif, due, message, etat=None):
        return Echeance(
            regle=Regle.ELIGIBILITE,
            cle=f"ELIGIBILITE:{motif}:{row['id']}",
            due_le=due,
            etat=etat or contexte.etat(due, row["territoire_id"]),
            message=message,
            **commun(row),
        )

    if row["age_min"] is not None and row["age"] < row["age_min"]:
        yield echeance(
            "age_min",
            row["date_debut"],
            f"{libelle} : la personne a {row['age']} ans, âge minimum {row['age_min']} ans ; réorienter.",
        )
    if row["age_max"] is not None:
        sortie = row["sortie_age"]
        etat = contexte.etat(sortie, row["territoire_id"])
        if etat == Etat.A_JOUR and row["debut_preavis_age"] <= contexte.le:
            etat = Etat.BIENTOT  # AGE_SORTIE_PREAVIS before leaving the range
        if etat != Etat.A_JOUR:
            yield echeance(
                "age_max",
                sortie,
                f"{libelle} : âge maximum {row['age_max']} ans dépassé le {date_fr(sortie)} ; préparer la sortie.",
                etat,
            )
    if row["exclut_parent_isole"] and row["parent_isole"]:
        yield echeance(
            "parent_isole", row["date_debut"], f"{libelle} : exclue pour une famille monoparentale ; réorienter."
        )
    fin = row["fin_nouvel_entrant"]
    if row["exclut_nouvel_entrant"] and fin and fin > contexte.le:
        yield echeance(
            "nouvel_entrant",
            row["date_debut"],
            f"{libelle} : exclue pour un nouvel entrant (droit RSA ouvert le "
            f"{date_fr(row['date_ouverture_rsa'])}) ; réorienter.",
        )


eligibilites.regles = (Regle.ELIGIBILITE,)

__all__ = ["absences", "charges", "eligibilites", "normes_file_active"]
