"""After an admission in an FJT under convention (admissions app): one query for the admission rules,
one for the bail glissant. They use the existing rule codes (the demo illustrates every code, and the
screens already filter by them); the cause (`cle`) tells them apart:

- CONTRAT_MANQUANT « sejour_remise » / « sejour_signature »: the contrat de séjour handed over
  CONTRAT_SEJOUR_REMISE and signed CONTRAT_SEJOUR_SIGNATURE after the entry (loi 2002-2, domain.md §10).
- CONTRAT_MANQUANT « projet_personnalise »: at least one objective on the measure
  PROJET_PERSONNALISE_DELAI after the entry (the projet personnalisé is the FJT's own contract).
- ELIGIBILITE « garantie »: each tiers guarantee (rent, accompaniment, civil liability) from
  GARANTIE_PREAVIS before its end: BIENTOT up to its end day, EN_RETARD after (domain.md §6.6 lists the
  guarantee under eligibility).
- RENOUVELLEMENT « glissement_bail »: a bail glissant not transferred yet, due on its planned transfer
  date (any modality): the sub-lease ends and must be succeeded by a lease in the person's name.

Only measures admitted through an application (Candidature at the entry step) carry the first three:
the entry date and the documents' dates are recorded there."""

import datetime

from .base import Echeance, Etat, Regle, date_bornee, date_cle, date_fr
from .regles_contrats import commun

_PARAMETRES = {
    "remise": "CONTRAT_SEJOUR_REMISE",
    "signature": "CONTRAT_SEJOUR_SIGNATURE",
    "projet": "PROJET_PERSONNALISE_DELAI",
    "garantie": "GARANTIE_PREAVIS",
}

_CTE_ADMISSIONS = """
padm AS (
    SELECT * FROM unnest(
        %(adm_t)s::bigint[], %(adm_remise)s::text[], %(adm_signature)s::text[], %(adm_projet)s::text[],
        %(adm_garantie)s::text[]
    ) AS p(territoire_id, remise, signature, projet, garantie)
),
adm AS (
    SELECT acc.*, c.id AS candidature_id, c.date_entree, c.contrat_sejour_remis_le, c.contrat_sejour_signe_le,
           p.remise::interval AS d_remise, p.signature::interval AS d_signature,
           p.projet::interval AS d_projet, p.garantie::interval AS d_garantie
    FROM acc
    JOIN admissions_candidature c ON c.accompagnement_id = acc.id AND c.etape = 7
    JOIN padm p ON p.territoire_id = acc.territoire_id
)"""

# Requete.lignes() appends each query after a comma in its WITH list: so each one opens with its own CTE.
# One query for the three rules of an admission (the engine's query count stays constant and small);
# the correlated lookups go through the foreign-key indexes of objectives and guarantees.
_SQL_ADMISSION = f"""
suivi_admission AS (
    SELECT adm.*,
           {date_bornee("date_entree + d_remise")} AS due_remise,
           {date_bornee("date_entree + d_signature")} AS due_signature,
           {date_bornee("date_entree + d_projet")} AS due_projet,
           EXISTS (SELECT 1 FROM accompagnement_objectif o WHERE o.accompagnement_id = adm.id) AS a_objectif,
           COALESCE((
               SELECT json_agg(json_build_object('id', g.id, 'type', g.type, 'fin', g.date_fin) ORDER BY g.id)
               FROM admissions_garantietiers g
               WHERE g.candidature_id = adm.candidature_id AND (g.date_fin - adm.d_garantie)::date <= %(le)s
           ), '[]'::json) AS garanties
    FROM adm
)
SELECT * FROM suivi_admission
"""  # noqa: S608 (literal SQL; date_bornee() adds literals only)

_SQL_GLISSEMENT = """
glissement AS (
    SELECT acc.*, l.id AS logement_id, l.glissement_prevu_le
    FROM acc JOIN admissions_logement l ON l.accompagnement_id = acc.id
    WHERE l.mode = 'BAIL_GLISSANT' AND l.glissement_fait_le IS NULL AND l.glissement_prevu_le IS NOT NULL
)
SELECT * FROM glissement
"""

_LIBELLES_GARANTIES = {
    "LOYER": "paiement du loyer",
    "ACCOMPAGNEMENT": "accompagnement éducatif",
    "RESPONSABILITE_CIVILE": "assurance responsabilité civile",
}


def _params(contexte):
    territoires = sorted({t for (t, _m) in contexte.regles})
    params = {"adm_t": territoires}
    for cle, code in _PARAMETRES.items():
        params[f"adm_{cle}"] = [str(contexte.parametre(t, code)) for t in territoires]
    return params


def admissions(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_ADMISSION, _params(contexte), avant=_CTE_ADMISSIONS):
        yield from _contrat_sejour(row, contexte)
        if not row["a_objectif"]:
            yield Echeance(
                regle=Regle.CONTRAT_MANQUANT,
                cle=f"CONTRAT_MANQUANT:projet_personnalise:{row['id']}",
                due_le=row["due_projet"],
                etat=contexte.etat(row["due_projet"], row["territoire_id"]),
                message=f"Fixer les objectifs du projet personnalisé au plus tard le {date_fr(row['due_projet'])}.",
                **commun(row),
            )
        for garantie in row["garanties"]:
            yield _garantie(row, garantie, contexte.le)


admissions.regles = (Regle.CONTRAT_MANQUANT, Regle.ELIGIBILITE)


def _contrat_sejour(row, contexte):
    if row["contrat_sejour_signe_le"] is not None:
        return
    entree = date_fr(row["date_entree"])
    if row["contrat_sejour_remis_le"] is None:
        yield Echeance(
            regle=Regle.CONTRAT_MANQUANT,
            cle=f"CONTRAT_MANQUANT:sejour_remise:{row['id']}",
            due_le=row["due_remise"],
            etat=contexte.etat(row["due_remise"], row["territoire_id"]),
            message=f"Remettre le contrat de séjour au plus tard le {date_fr(row['due_remise'])} (entrée le {entree}).",
            **commun(row),
        )
    yield Echeance(
        regle=Regle.CONTRAT_MANQUANT,
        cle=f"CONTRAT_MANQUANT:sejour_signature:{row['id']}",
        due_le=row["due_signature"],
        etat=contexte.etat(row["due_signature"], row["territoire_id"]),
        message=f"Faire signer le contrat de séjour au plus tard le {date_fr(row['due_signature'])} (entrée le {entree}).",
        **commun(row),
    )


def _garantie(row, garantie, le):
    fin = datetime.date.fromisoformat(garantie["fin"])
    libelle = _LIBELLES_GARANTIES.get(garantie["type"], garantie["type"])
    fini = fin < le
    return Echeance(
        regle=Regle.ELIGIBILITE,
        cle=f"ELIGIBILITE:garantie:{garantie['id']}:{date_cle(fin)}",
        due_le=fin,
        # Inside the GARANTIE_PREAVIS window the tiers must be asked to renew: never « à jour ».
        etat=Etat.EN_RETARD if fini else Etat.BIENTOT,
        message=(
            f"Garantie du tiers ({libelle}) {'terminée depuis' if fini else 'jusqu’au'} le {date_fr(fin)} : "
            "demander son renouvellement au tiers."
        ),
        **commun(row),
    )


def glissements(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_GLISSEMENT):
        due = row["glissement_prevu_le"]
        yield Echeance(
            regle=Regle.RENOUVELLEMENT,
            cle=f"RENOUVELLEMENT:glissement_bail:{row['logement_id']}",
            due_le=due,
            etat=contexte.etat(due, row["territoire_id"]),
            message=f"Glissement du bail prévu le {date_fr(due)} : préparer le transfert au nom de la personne.",
            **commun(row),
        )


glissements.regles = (Regle.RENOUVELLEMENT,)

__all__ = ["admissions", "glissements"]
