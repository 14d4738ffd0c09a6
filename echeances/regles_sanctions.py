"""SANCTION_OBSERVATIONS and SANCTION_DECISION: the deadlines of the sanction procedure, one query.

A report whose person was informed waits for her observations until `observations_limite` (set when she
was informed: SANCTION_OBSERVATIONS_DELAI of the référentiel), that day included; once they are in, or
from the day after that limit, the équipe pluridisciplinaire's opinion and the decision are due
SANCTION_DECISION_DELAI after the limit. Reports that are not yet sent to the person, decided or closed have no deadline here."""

from .base import Echeance, Regle, date_bornee, date_fr
from .regles_contrats import commun

_SQL = f"""
delai AS (
    SELECT * FROM unnest(%(pt)s::bigint[], %(p_sanction_decision_delai)s::text[]) AS d(territoire_id, decision)
)
SELECT acc.id, acc.resident_id, acc.referent_id, acc.structure_id, acc.territoire_id,
       sg.id AS signalement_id, sg.etape, sg.observations_limite,
       (sg.etape = 'INFORMEE' AND sg.observations_limite >= %(le)s) AS attend_observations,
       CASE WHEN sg.etape = 'INFORMEE' AND sg.observations_limite >= %(le)s THEN sg.observations_limite
            ELSE {date_bornee("sg.observations_limite + d.decision::interval")} END AS due
FROM echeances_signalementsanction sg
JOIN acc ON acc.id = sg.accompagnement_id
JOIN delai d ON d.territoire_id = acc.territoire_id
WHERE sg.etape IN ('INFORMEE', 'OBSERVATIONS', 'AVIS_EP') AND sg.observations_limite IS NOT NULL
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def sanctions(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL):
        delegues = contexte.delegues(row["territoire_id"])
        if row["attend_observations"]:
            regle = Regle.SANCTION_OBSERVATIONS
            message = (
                f"Observations de la personne attendues jusqu'au {date_fr(row['due'])} ; ensuite, avis de "
                "l'équipe pluridisciplinaire."
            )
            # The observations reach the référent as well as the délégué.
            destinataires = (*delegues, row["referent_id"])
        else:
            regle = Regle.SANCTION_DECISION
            attendu = (
                "Décision attendue"
                if row["etape"] == "AVIS_EP"
                else "Avis de l'équipe pluridisciplinaire et décision attendus"
            )
            message = f"{attendu} au plus tard le {date_fr(row['due'])} (signalement en vue de sanction)."
            destinataires = delegues or (row["referent_id"],)
        yield Echeance(
            regle=regle,
            cle=f"{regle}:{row['signalement_id']}",
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=message,
            details={"signalement_id": row["signalement_id"]},
            **commun(row, destinataires),
        )


sanctions.regles = (Regle.SANCTION_OBSERVATIONS, Regle.SANCTION_DECISION)
