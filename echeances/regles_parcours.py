"""The RSA parcours before and around the measure: the orientation awaited, the référent to designate,
the call-in, the réorientation asked for. The first two concern people, not measures (an imported
beneficiary has none yet): they run over a set of people (`Personnes`), one query each."""

from django.db import connection
from django.db.models import QuerySet

from .base import Echeance, Regle, _sous_requete, date_bornee, date_fr
from .regles_contrats import cle_orientation, message_orientation

_CTE_PERSONNES = """
param AS (
    SELECT * FROM unnest(
        %(pt)s::bigint[], %(p_orientation_rsa_delai)s::text[], %(p_cer_signature_delai)s::text[],
        %(p_contrat_engagement_signature_delai)s::text[], %(p_convocation_delai)s::text[]
    ) AS p(territoire_id, orientation_delai, cer_delai, ce_delai, convocation_delai)
),
pers AS MATERIALIZED (
    SELECT r.id AS resident_id, r.structure_id, s.territoire_id, r.date_ouverture_rsa, r.orientation_id
    FROM residents_resident r JOIN referentiel_structure s ON s.id = r.structure_id
    WHERE {filtre} AND r.archive_le IS NULL AND r.anonymise_le IS NULL
)"""


class Personnes:
    """Runs the person rules' SQL for one set of people (a queryset of Resident, or their ids) and one day."""

    def __init__(self, personnes, contexte):
        self.contexte = contexte
        self.params = dict(contexte.tableaux(), le=contexte.le, loi_plein_emploi=contexte.loi_plein_emploi)
        if isinstance(personnes, QuerySet):
            sous_requete, params = _sous_requete(personnes)
            self.filtre = f"r.id IN ({sous_requete})"
            self.params.update(params)
        else:
            self.filtre = "r.id = ANY(%(personnes)s::bigint[])"
            self.params["personnes"] = sorted(set(personnes))

    def lignes(self, sql):
        corps = _CTE_PERSONNES.format(filtre=self.filtre) + "," + sql
        with connection.cursor() as cursor:
            ombres = self.contexte.historique.ombres(corps) if self.contexte.historique else ""
            cursor.execute("WITH " + ombres + corps, self.params)
            noms = [c.name for c in cursor.description]
            return [dict(zip(noms, row, strict=True)) for row in cursor.fetchall()]


# The keys of the causes found on people: a partial synchronisation over some people closes those of its
# people it no longer sees, and nothing else that hangs from no measure (echeances.services).
PREFIXES_DES_CLES = ("CONTRAT_MANQUANT:orientation:", "CONTRAT_MANQUANT:affectation:", "CONVOCATION:")


def _commun(row, *, structure_id, destinataires, accompagnement_id=None, referent_id=None):
    return {
        "accompagnement_id": accompagnement_id,
        "resident_id": row["resident_id"],
        "referent_id": referent_id,
        "structure_id": structure_id,
        "territoire_id": row["territoire_id"],
        "destinataires": tuple(destinataires),
    }


# The same cause as regles_contrats.orientations_manquantes (same `cle`): that one names the référent of a
# measure, this one also covers the person nobody accompanies yet (an imported beneficiary).
_SQL_ORIENTATION = f"""
o AS (
    SELECT pers.*, p.orientation_delai::interval AS delai FROM pers JOIN param p USING (territoire_id)
    WHERE pers.date_ouverture_rsa IS NOT NULL AND pers.orientation_id IS NULL
)
SELECT o.*, {date_bornee("o.date_ouverture_rsa + o.delai")} AS due FROM o
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def orientations_attendues(personnes):
    contexte = personnes.contexte
    for row in personnes.lignes(_SQL_ORIENTATION):
        yield Echeance(
            regle=Regle.CONTRAT_MANQUANT,
            cle=cle_orientation(row["resident_id"]),
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=message_orientation(row["due"], row["date_ouverture_rsa"]),
            **_commun(row, structure_id=row["structure_id"], destinataires=contexte.delegues(row["territoire_id"])),
        )


orientations_attendues.regles = (Regle.CONTRAT_MANQUANT,)


# Each person's decision in force (the latest), towards a structure. Until the structure opens the measure
# (assigns the référent), the first contract's délai runs all the same: the person waits for a référent.
# In a territory of the accompagnement rénové, the person is called in within CONVOCATION_DELAI of the
# decision: the call-in is done once a rendez-vous (planned, held or missed; not cancelled) exists on the
# measure opened from it, whatever its date (a late one leaves the échéance late until it is planned).
_SQL_DECISIONS = f"""
d AS (
    SELECT DISTINCT ON (o.resident_id) o.*
    FROM accompagnement_decisionorientation o JOIN pers ON pers.resident_id = o.resident_id
    ORDER BY o.resident_id, o.date_decision DESC, o.id DESC
),
dd AS (
    SELECT pers.resident_id, d.id AS decision_id, d.date_decision, d.structure_id AS oriente_vers,
           d.accompagnement_id, s.territoire_id, s.nom AS structure_nom, t.accompagnement_renove,
           a.referent_id, a.date_fin, m.libelle AS modalite_libelle,
           d.date_decision + CASE WHEN d.date_decision < %(loi_plein_emploi)s
                                  THEN p.cer_delai ELSE p.ce_delai END::interval AS due_contrat,
           d.date_decision + p.convocation_delai::interval AS due_convocation,
           EXISTS (SELECT 1 FROM accompagnement_entretien e
                   WHERE e.accompagnement_id = d.accompagnement_id AND e.statut <> 'ANNULE') AS convoquee
    FROM d JOIN pers ON pers.resident_id = d.resident_id
    JOIN referentiel_structure s ON s.id = d.structure_id
    JOIN referentiel_territoire t ON t.id = s.territoire_id
    JOIN param p ON p.territoire_id = s.territoire_id
    JOIN referentiel_modalite m ON m.id = d.modalite_id
    LEFT JOIN accompagnement_accompagnement a ON a.id = d.accompagnement_id
)
SELECT dd.*, {date_bornee("dd.due_contrat")} AS due_affectation, {date_bornee("dd.due_convocation")} AS due_conv
FROM dd
WHERE dd.accompagnement_id IS NULL OR (dd.accompagnement_renove AND NOT dd.convoquee AND dd.date_fin IS NULL)
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def orientations_decidees(personnes):
    contexte = personnes.contexte
    for row in personnes.lignes(_SQL_DECISIONS):
        decidee = date_fr(row["date_decision"])
        if row["accompagnement_id"] is None:
            yield Echeance(
                regle=Regle.CONTRAT_MANQUANT,
                cle=f"CONTRAT_MANQUANT:affectation:{row['decision_id']}",
                due_le=row["due_affectation"],
                etat=contexte.etat(row["due_affectation"], row["territoire_id"]),
                message=(
                    f"Orientée le {decidee} vers {row['structure_nom']} ({row['modalite_libelle']}) : désigner "
                    f"le référent, premier contrat attendu au plus tard le {date_fr(row['due_affectation'])}."
                ),
                **_commun(
                    row, structure_id=row["oriente_vers"], destinataires=contexte.responsables(row["oriente_vers"])
                ),
            )
        if row["accompagnement_renove"] and not row["convoquee"]:
            referent = row["referent_id"]
            yield Echeance(
                regle=Regle.CONVOCATION,
                cle=f"CONVOCATION:{row['decision_id']}",
                due_le=row["due_conv"],
                etat=contexte.etat(row["due_conv"], row["territoire_id"]),
                message=(
                    f"Accompagnement rénové : convoquer la personne au plus tard le {date_fr(row['due_conv'])} "
                    f"(orientée le {decidee})."
                ),
                **_commun(
                    row,
                    structure_id=row["oriente_vers"],
                    destinataires=(referent,) if referent else contexte.responsables(row["oriente_vers"]),
                    accompagnement_id=row["accompagnement_id"],
                    referent_id=referent,
                ),
            )


orientations_decidees.regles = (Regle.CONTRAT_MANQUANT, Regle.CONVOCATION)


# A measure's pending request: the délégués of its territory answer within REORIENTATION_REPONSE_DELAI.
_SQL_DEMANDES = f"""
reponse AS (
    SELECT * FROM unnest(%(pt)s::bigint[], %(p_reorientation_reponse_delai)s::text[]) AS x(territoire_id, delai)
)
SELECT acc.id, acc.resident_id, acc.referent_id, acc.structure_id, acc.territoire_id, dr.id AS demande_id,
       m.libelle AS vers, (dr.demandee_le AT TIME ZONE %(tz)s)::date AS demandee,
       {date_bornee("(dr.demandee_le AT TIME ZONE %(tz)s)::date + x.delai::interval")} AS due
FROM acc JOIN accompagnement_demandereorientation dr ON dr.accompagnement_id = acc.id AND dr.statut = 'EN_ATTENTE'
JOIN reponse x ON x.territoire_id = acc.territoire_id
JOIN referentiel_modalite m ON m.id = dr.modalite_id
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)


def demandes_de_reorientation(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_DEMANDES):
        yield Echeance(
            regle=Regle.REORIENTATION_DEMANDEE,
            cle=f"REORIENTATION_DEMANDEE:{row['demande_id']}",
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=(
                f"Réorientation vers {row['vers']} demandée le {date_fr(row['demandee'])} : "
                f"décider au plus tard le {date_fr(row['due'])}."
            ),
            accompagnement_id=row["id"],
            resident_id=row["resident_id"],
            referent_id=row["referent_id"],
            structure_id=row["structure_id"],
            territoire_id=row["territoire_id"],
            destinataires=contexte.delegues(row["territoire_id"]),
        )


demandes_de_reorientation.regles = (Regle.REORIENTATION_DEMANDEE,)
