"""RENOUVELLEMENT, CONTRAT_MANQUANT (and the RSA orientation), VALIDATION_EN_ATTENTE: one query each."""

from .base import Echeance, Etat, Regle, date_bornee, date_cle, date_fr


def commun(row, destinataires=None):
    return {
        "accompagnement_id": row["id"],
        "resident_id": row["resident_id"],
        "referent_id": row["referent_id"],
        "structure_id": row["structure_id"],
        "territoire_id": row["territoire_id"],
        "destinataires": destinataires or (row["referent_id"],),
    }


# Contracts of a measure (`acc`'s row beside them), of the kind its modality requires (for the RSA a CER or a
# contrat d'engagement), not cancelled nor refused, nor an avenant still in preparation (the version it amends
# is the one in force until it is signed: contrats.models). `origine_id` names the family: the original
# contract and its avenants.
_CONTRAT_VIVANT = """
      NOT (c.etat = ANY(%(morts)s))
      AND NOT (c.avenant_de_id IS NOT NULL AND c.etat = ANY(%(en_preparation)s))
      AND (c.type = acc.type_contrat OR (acc.type_contrat = %(cer)s AND c.type = %(ce)s))"""

# No plan may be quadratic whatever the statistics (a new installation's small tables are never analysed:
# the planner then expects one measure and joined the contracts with themselves in nested loops, 20 s at
# 10,000 people, 249 s for the morning run at 30,000). So the contracts are read once, joined to their
# measure by its index, and compared with the other contracts of their family and of their measure through
# window arrays (a sort, never a join of the contracts with themselves); the only per-row work left is over
# the few contracts of one measure.
# A signed avenant ends the version it amends on its effective date: from its signature on, the renewal
# is read on the avenant (the family's last version, ending when the contract ends), even before it
# takes over; the replaced version, whose end is only the avenant's start, raises nothing.
_SQL_RENOUVELLEMENT = f"""
contrat AS (
    SELECT acc.*, c.id AS contrat_id, c.type, c.etat, c.date_debut AS c_debut, c.date_fin AS c_fin,
           c.precedent_id, c.numero_renouvellement, c.avenant_de_id, coalesce(c.avenant_de_id, c.id) AS origine_id
    FROM acc JOIN contrats_contrat c ON c.accompagnement_id = acc.id
    WHERE {_CONTRAT_VIVANT}
),
voisins AS (
    SELECT contrat.*,
           -- starts of the family's versions in force: one starting at this end is its successor
           array_agg(c_debut) FILTER (WHERE etat = ANY(%(en_vigueur)s)) OVER famille AS debuts_famille,
           -- ends of the family's versions in force and started: an avenant taking over at one is current
           array_agg(c_fin) FILTER (WHERE etat = ANY(%(en_vigueur)s) AND c_debut <= %(le)s) OVER famille
               AS fins_famille,
           array_agg(origine_id) OVER mesure AS m_origines,
           array_agg(precedent_id) OVER mesure AS m_precedents,
           array_agg(c_debut) OVER mesure AS m_debuts
    FROM contrat
    WINDOW famille AS (PARTITION BY origine_id), mesure AS (PARTITION BY id)
),
fin_proche AS (
SELECT v.*, {date_bornee("v.c_fin - v.preavis")} AS debut_preavis
FROM voisins v
WHERE v.etat = ANY(%(en_vigueur)s) AND v.c_fin > %(le)s
  AND (v.c_debut <= %(le)s OR (v.avenant_de_id IS NOT NULL AND coalesce(v.c_debut = ANY(v.fins_famille), false)))
  -- (a version never starts on its own end: contrats' date_fin > date_debut)
  AND NOT coalesce(v.c_fin = ANY(v.debuts_famille), false)
  -- a successor in another family of the measure: a renewal of this contract, or one starting at its end
  AND NOT EXISTS (
      SELECT 1 FROM unnest(v.m_origines, v.m_precedents, v.m_debuts) AS s(origine_id, precedent_id, c_debut)
      WHERE s.origine_id <> v.origine_id AND (s.precedent_id = v.contrat_id OR s.c_debut >= v.c_fin)
  )
)
SELECT id, resident_id, referent_id, structure_id, territoire_id, renouv_max, contrat_id, origine_id, type, c_fin,
       numero_renouvellement, debut_preavis
FROM fin_proche
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def _params():
    return {"cer": "CER", "ce": "CONTRAT_ENGAGEMENT"}


def renouvellements(requete):
    """Due at the end of the contract (the successor must start that day: no gap), « bientôt dû » from
    one RENOUVELLEMENT_PREAVIS before it, the first day contrats lets a renewal be prepared. Once the
    contract has ended without a successor, CONTRAT_MANQUANT takes over (en retard)."""
    contexte = requete.contexte
    for row in requete.lignes(_SQL_RENOUVELLEMENT, _params()):
        message = f"Préparer le renouvellement du contrat qui prend fin le {date_fr(row['c_fin'])}"
        if row["renouv_max"] is not None:
            if row["numero_renouvellement"] >= row["renouv_max"]:
                message += (
                    f" : {row['renouv_max']} renouvellements au plus, déjà atteints ; "
                    "la mesure doit prendre fin ou être réorientée"
                )
            else:
                message += f" (renouvellement n°{row['numero_renouvellement'] + 1} sur {row['renouv_max']} au plus)"
        yield Echeance(
            regle=Regle.RENOUVELLEMENT,
            # The family's: one alert through the avenants of a contract.
            cle=f"RENOUVELLEMENT:{row['origine_id']}",
            due_le=row["c_fin"],
            etat=Etat.BIENTOT
            if row["debut_preavis"] <= requete.le
            else contexte.etat(row["c_fin"], row["territoire_id"]),
            message=message + ".",
            contrat_id=row["contrat_id"],
            details={"fin_contrat": row["c_fin"], "renouvellement_possible": _possible(row)},
            **commun(row),
        )


def _possible(row):
    return row["renouv_max"] is None or row["numero_renouvellement"] < row["renouv_max"]


renouvellements.regles = (Regle.RENOUVELLEMENT,)


# A measure that needs a contract and has none in force. Due at the end of the previous one, or the
# signature délai after the orientation for a first RSA contract, or at the start of the measure.
# ASLL (domain.md §3): when the person receives the RSA, her CER / contrat d'engagement in force (on
# whichever measure) stands for the action plan.
_DUE_PREMIER_CONTRAT = date_bornee(
    "date_orientation + CASE WHEN date_orientation < %(loi_plein_emploi)s THEN cer_delai ELSE ce_delai END"
)
_SQL_CONTRAT_MANQUANT = f"""
manque AS (
    SELECT acc.*, r.date_orientation, ec.fin_precedent
    FROM acc
    -- the person by her key, for each measure (OFFSET 0 keeps it a lookup): joined, a structure's 900
    -- measures hashed all 100,000 people (75 ms instead of 7, and no faster on the whole base)
    CROSS JOIN LATERAL (
        SELECT p.date_orientation, p.date_ouverture_rsa FROM residents_resident p WHERE p.id = acc.resident_id OFFSET 0
    ) r
    -- per measure, over its own contracts (by their index): joining a whole-set aggregate to `acc` was
    -- planned as a nested loop re-aggregating every contract for each measure (quadratic)
    CROSS JOIN LATERAL (
        SELECT bool_or(c.date_debut <= %(le)s AND c.date_fin > %(le)s
                       AND (c.etat = ANY(%(en_vigueur)s) OR c.etat = ANY(%(en_attente)s))) AS couvert,
               max(c.date_fin) FILTER (WHERE c.date_fin <= %(le)s AND NOT (c.etat = ANY(%(en_attente)s))
                                         AND c.etat <> ALL(%(preparation)s)) AS fin_precedent
        FROM contrats_contrat c
        WHERE c.accompagnement_id = acc.id AND {_CONTRAT_VIVANT}
    ) ec
    WHERE acc.type_contrat IS NOT NULL AND NOT coalesce(ec.couvert, false)
      AND NOT (acc.type_contrat = %(plan_asll)s AND r.date_ouverture_rsa IS NOT NULL
               AND r.date_ouverture_rsa <= %(le)s AND EXISTS (
          SELECT 1 FROM contrats_contrat k
          JOIN accompagnement_accompagnement m ON m.id = k.accompagnement_id
          WHERE m.resident_id = acc.resident_id AND k.type IN (%(cer)s, %(ce)s)
            AND k.etat = ANY(%(en_vigueur)s) AND k.date_debut <= %(le)s AND k.date_fin > %(le)s
      ))
)
SELECT manque.*,
       CASE
         WHEN fin_precedent IS NOT NULL THEN fin_precedent
         WHEN type_contrat = %(cer)s AND date_orientation IS NOT NULL THEN
              {_DUE_PREMIER_CONTRAT}
         ELSE date_debut
       END AS due
FROM manque
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def contrats_manquants(requete):
    params = dict(_params(), preparation=["BROUILLON", "EN_SIGNATURE"], plan_asll="PLAN_ASLL")
    for row in requete.lignes(_SQL_CONTRAT_MANQUANT, params):
        if row["fin_precedent"]:
            message = f"Aucun contrat en vigueur depuis le {date_fr(row['fin_precedent'])} : le renouveler sans délai."
        elif row["type_contrat"] == "CER" and row["date_orientation"]:
            message = (
                f"Faire signer le premier contrat (CER ou contrat d'engagement) au plus tard le "
                f"{date_fr(row['due'])}, orientation du {date_fr(row['date_orientation'])}."
            )
        else:
            message = f"Aucun contrat en vigueur pour cette mesure ({row['modalite_libelle']}) : en établir un."
        yield Echeance(
            regle=Regle.CONTRAT_MANQUANT,
            cle=f"CONTRAT_MANQUANT:{row['id']}:{date_cle(row['due'])}",
            due_le=row["due"],
            etat=requete.contexte.etat(row["due"], row["territoire_id"]),
            message=message,
            **commun(row),
        )


contrats_manquants.regles = (Regle.CONTRAT_MANQUANT,)


_SQL_ORIENTATION = f"""
o AS (
    SELECT DISTINCT ON (acc.resident_id) acc.*, r.date_ouverture_rsa,
           {date_bornee("r.date_ouverture_rsa + acc.orientation_delai")} AS due
    FROM acc JOIN residents_resident r ON r.id = acc.resident_id
    WHERE acc.champ = 'INSERTION' AND r.date_ouverture_rsa IS NOT NULL AND r.orientation_id IS NULL
    ORDER BY acc.resident_id, acc.id
)
SELECT * FROM o
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def cle_orientation(resident_id):
    """The awaited orientation's cause: the same on a measure (here) and on a person with none yet
    (regles_parcours.orientations_attendues), so that one échéance and one alert stand for it."""
    return f"CONTRAT_MANQUANT:orientation:{resident_id}"


def message_orientation(due, ouverture):
    return (
        f"Orientation RSA attendue au plus tard le {date_fr(due)} "
        f"(droit ouvert le {date_fr(ouverture)}) : décision du Département à enregistrer."
    )


def orientations_manquantes(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_ORIENTATION):
        yield Echeance(
            regle=Regle.CONTRAT_MANQUANT,
            cle=cle_orientation(row["resident_id"]),
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=message_orientation(row["due"], row["date_ouverture_rsa"]),
            **commun(row, (row["referent_id"], *contexte.delegues(row["territoire_id"]))),
        )


orientations_manquantes.regles = (Regle.CONTRAT_MANQUANT,)


_SQL_VALIDATION = f"""
v AS (
    SELECT acc.*, c.id AS contrat_id, c.etat AS contrat_etat,
           (c.date_soumission_validation AT TIME ZONE %(tz)s)::date AS soumis_le
    FROM contrats_contrat c JOIN acc ON acc.id = c.accompagnement_id
    WHERE c.etat = ANY(%(en_attente)s) AND c.type = ANY(%(a_valider)s)
      AND c.date_soumission_validation IS NOT NULL
)
SELECT v.*, {date_bornee("soumis_le + attente_max")} AS due FROM v WHERE soumis_le <= %(le)s
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def validations_en_attente(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_VALIDATION):
        verbe = "différé" if row["contrat_etat"] == "DIFFERE" else "en attente de validation"
        yield Echeance(
            regle=Regle.VALIDATION_EN_ATTENTE,
            cle=f"VALIDATION_EN_ATTENTE:{row['contrat_id']}",
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=(
                f"Contrat {verbe} depuis le {date_fr(row['soumis_le'])} : décision attendue au plus tard le "
                f"{date_fr(row['due'])}."
            ),
            contrat_id=row["contrat_id"],
            **commun(row, contexte.delegues(row["territoire_id"]) or (row["referent_id"],)),
        )


validations_en_attente.regles = (Regle.VALIDATION_EN_ATTENTE,)


# The CERs to replace by contrats d'engagement (loi pour le plein emploi, domain.md §10): every CER signed
# (in force or to come, not ended), one per family (an avenant taking over later is the same contract),
# due on the territory's CER_REMPLACEMENT_AVANT. It ends when the CER does (rupture, end) or when a signed
# contrat d'engagement of the measure takes over at its end, on or before that day. Linear like the rules
# above: the RSA contracts of the set are read once by their measure's index and compared with the other
# contracts of their measure through a window array.
_SQL_CER_A_REMPLACER = """
bascule AS (
    SELECT * FROM unnest(%(pt)s::bigint[], %(p_cer_remplacement_avant)s::date[]) AS b(territoire_id, date_limite)
),
rsa AS (
    SELECT acc.*, c.id AS contrat_id, c.type, c.date_debut AS c_debut, c.date_fin AS c_fin,
           coalesce(c.avenant_de_id, c.id) AS origine_id,
           array_agg(c.date_debut) FILTER (WHERE c.type = %(ce)s) OVER (PARTITION BY acc.id) AS debuts_ce
    FROM acc JOIN contrats_contrat c ON c.accompagnement_id = acc.id
    WHERE c.type IN (%(cer)s, %(ce)s) AND c.etat = ANY(%(en_vigueur)s)
)
SELECT DISTINCT ON (rsa.origine_id)
       rsa.id, rsa.resident_id, rsa.referent_id, rsa.structure_id, rsa.territoire_id,
       rsa.contrat_id, rsa.origine_id, rsa.c_debut, rsa.c_fin, b.date_limite AS due
FROM rsa JOIN bascule b ON b.territoire_id = rsa.territoire_id
WHERE rsa.type = %(cer)s AND rsa.c_fin > %(le)s
  AND NOT (rsa.c_fin <= b.date_limite AND coalesce(rsa.c_fin = ANY(rsa.debuts_ce), false))
ORDER BY rsa.origine_id, rsa.c_debut
"""  # noqa: S608 (literal SQL)


def cer_a_remplacer(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_CER_A_REMPLACER, _params()):
        yield Echeance(
            regle=Regle.CER_A_REMPLACER,
            cle=f"CER_A_REMPLACER:{row['origine_id']}",
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=(
                f"CER du {date_fr(row['c_debut'])} au {date_fr(row['c_fin'])} : le remplacer par un contrat "
                f"d'engagement au plus tard le {date_fr(row['due'])} (loi pour le plein emploi)."
            ),
            contrat_id=row["contrat_id"],
            details={"debut_contrat": row["c_debut"], "fin_contrat": row["c_fin"]},
            **commun(row),
        )


cer_a_remplacer.regles = (Regle.CER_A_REMPLACER,)
