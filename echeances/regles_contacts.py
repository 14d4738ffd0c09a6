"""CONTACT and RENCONTRE_PHYSIQUE: last contact (or start) + the modality's interval, in one query."""

from .base import Echeance, Regle, Suivi, date_bornee, date_cle, date_fr, pire

_SQL_SUIVIS = f"""
-- The last honoured entretien and the last physical one of each measure, read from the end of the index
-- (accompagnement, statut, date_heure) rather than by aggregating every entretien of the set: a
-- structure's 900 measures have 23,000 of them (structure: 28 → 20 ms; whole base: no slower).
ent AS (
    SELECT acc.id, d.dernier, r.derniere_rencontre
    FROM acc
    CROSS JOIN LATERAL (
        SELECT max(e.date_heure) AS dernier FROM accompagnement_entretien e
        WHERE e.accompagnement_id = acc.id
          -- before the end of the local day `le`: the past as seen that day
          AND e.statut = 'HONORE' AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    ) d
    LEFT JOIN LATERAL (
        SELECT e.date_heure AS derniere_rencontre FROM accompagnement_entretien e
        WHERE e.accompagnement_id = acc.id AND e.statut = 'HONORE' AND e.physique
          AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
        ORDER BY e.date_heure DESC LIMIT 1
    ) r ON true
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
       dernier_contact, derniere_rencontre, en_phase_initiale,
       {date_bornee("coalesce(dernier_contact, date_debut) + i_contact")} AS prochain_contact,
       {date_bornee("coalesce(derniere_rencontre, date_debut) + i_rencontre")} AS prochaine_rencontre,
       i_contact IS NOT NULL AS a_contact, i_rencontre IS NOT NULL AS a_rencontre
FROM dates
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


# Were the frequencies kept every day of a period [debut, le]? Each contact (and the start of the
# measure) sets the next due date, date + interval as in _SQL_SUIVIS; the measure was « en retard » on
# the days after that due date until the next contact (or `le`). Physical meetings likewise. A modality
# without an interval (veille: contact on demand) is never late on it: greatest() ignores the NULL.
_SQL_RESPECT = """
jalon AS (
    SELECT e.accompagnement_id AS id, (e.date_heure AT TIME ZONE %(tz)s)::date AS jour, e.physique
    FROM accompagnement_entretien e
    WHERE e.accompagnement_id IN (SELECT id FROM acc)
      AND e.statut = 'HONORE' AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    UNION ALL
    SELECT acc.id, (ac.date_heure AT TIME ZONE %(tz)s)::date, false
    FROM acc
    JOIN accompagnement_participation p ON p.resident_id = acc.resident_id
    JOIN accompagnement_actioncollective ac ON ac.id = p.action_id
    WHERE ac.date_heure >= (acc.date_debut::timestamp AT TIME ZONE %(tz)s)
      AND ac.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    UNION ALL
    SELECT acc.id, acc.date_debut, true FROM acc
),
suite AS (
    SELECT id, jour, physique, lead(jour) OVER (PARTITION BY id ORDER BY jour) AS suivant FROM jalon
),
suite_physique AS (
    SELECT id, jour, lead(jour) OVER (PARTITION BY id ORDER BY jour) AS suivant FROM jalon WHERE physique
),
retard AS (
    SELECT s.id FROM suite s JOIN acc ON acc.id = s.id
    WHERE acc.i_contact IS NOT NULL
      AND greatest((s.jour + acc.i_contact)::date + 1, %(debut)s) <= least(coalesce(s.suivant - 1, %(le)s), %(le)s)
    UNION
    SELECT s.id FROM suite_physique s JOIN acc ON acc.id = s.id
    WHERE acc.i_rencontre IS NOT NULL
      AND greatest((s.jour + acc.i_rencontre)::date + 1, %(debut)s) <= least(coalesce(s.suivant - 1, %(le)s), %(le)s)
)
SELECT acc.id, retard.id IS NULL AS respectees FROM acc LEFT JOIN retard ON retard.id = acc.id
"""


def respect_frequences(requete, debut):
    """{accompagnement_id: bool}: False when the contact or the physical meeting was overdue on at least
    one day between `debut` and the requête's day."""
    return {row["id"]: row["respectees"] for row in requete.lignes(_SQL_RESPECT, {"debut": debut})}


def lignes_suivis(requete):
    return requete.lignes(_SQL_SUIVIS)


def suivi_de(row, contexte):
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


def echeances(requete):
    contexte = requete.contexte
    for row in lignes_suivis(requete):
        commun = {
            "accompagnement_id": row["id"],
            "resident_id": row["resident_id"],
            "referent_id": row["referent_id"],
            "structure_id": row["structure_id"],
            "territoire_id": row["territoire_id"],
            "destinataires": (row["referent_id"],),
        }
        if row["prochain_contact"]:
            regle = _regle(contexte, row, "contact")
            yield Echeance(
                regle=Regle.CONTACT,
                cle=f"CONTACT:{row['id']}:{date_cle(row['prochain_contact'])}",
                due_le=row["prochain_contact"],
                etat=contexte.etat(row["prochain_contact"], row["territoire_id"]),
                message=f"Prendre contact au plus tard le {date_fr(row['prochain_contact'])} ({regle.regle}).",
                details={"regle": regle.texte},
                **commun,
            )
        if row["prochaine_rencontre"]:
            regle = _regle(contexte, row, "rencontre")
            yield Echeance(
                regle=Regle.RENCONTRE_PHYSIQUE,
                cle=f"RENCONTRE_PHYSIQUE:{row['id']}:{date_cle(row['prochaine_rencontre'])}",
                due_le=row["prochaine_rencontre"],
                etat=contexte.etat(row["prochaine_rencontre"], row["territoire_id"]),
                message=(
                    f"Rencontrer la personne au plus tard le {date_fr(row['prochaine_rencontre'])} ({regle.regle})."
                ),
                details={"regle": regle.texte},
                **commun,
            )


def _regle(contexte, row, quoi):
    """The rule that set the due date: its short form for the message (« RSA – mobilisation sociale : une
    rencontre physique toutes les 6 semaines ») and, with the version it comes from, for the dossier.
    Kept per reading: a whole-base run asks it for each measure, with a few dozen distinct answers."""
    cle = (row["territoire_id"], row["modalite_id"], quoi, row["en_phase_initiale"])
    if cle not in contexte.frequences:
        regles = contexte.regles[(row["territoire_id"], row["modalite_id"])]
        contexte.frequences[cle] = regles.frequence(quoi, row["en_phase_initiale"])
    return contexte.frequences[cle]


echeances.regles = (Regle.CONTACT, Regle.RENCONTRE_PHYSIQUE)
