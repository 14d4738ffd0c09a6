"""After an admission in an FJT under convention (admissions app), one query each:

- CONTRAT_SEJOUR: the contrat de séjour handed over CONTRAT_SEJOUR_REMISE and signed
  CONTRAT_SEJOUR_SIGNATURE after the entry (loi 2002-2, domain.md §10); two causes per measure.
- PROJET_PERSONNALISE: at least one objective on the measure PROJET_PERSONNALISE_DELAI after the entry.
- ELIGIBILITE (sub-rule « garantie »): each tiers guarantee (rent, accompaniment, civil liability) from
  GARANTIE_PREAVIS before its end: BIENTOT up to its end day, EN_RETARD after (the stay is no longer
  covered). The ELIGIBILITE code is kept because domain.md §6.6 lists it there.
- GLISSEMENT_BAIL: a bail glissant not transferred yet, due on its planned transfer date (any modality).

Only measures admitted through an application (Candidature at the entry step) carry the first three:
the entry date and the documents' dates are recorded there."""

from .base import Echeance, Etat, Regle
from .regles_contacts import date_fr
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

_SQL_CONTRAT_SEJOUR = """
SELECT adm.*, (date_entree + d_remise)::date AS due_remise, (date_entree + d_signature)::date AS due_signature
FROM adm WHERE contrat_sejour_signe_le IS NULL
"""

_SQL_PROJET = """
SELECT adm.*, (date_entree + d_projet)::date AS due
FROM adm
WHERE NOT EXISTS (SELECT 1 FROM accompagnement_objectif o WHERE o.accompagnement_id = adm.id)
"""

_SQL_GARANTIES = """
SELECT adm.*, g.id AS garantie_id, g.type AS garantie_type, g.date_fin AS garantie_fin
FROM adm JOIN admissions_garantietiers g ON g.candidature_id = adm.candidature_id
WHERE (g.date_fin - adm.d_garantie)::date <= %(le)s
"""

_SQL_GLISSEMENT = """
SELECT acc.*, l.id AS logement_id, l.glissement_prevu_le
FROM acc JOIN admissions_logement l ON l.accompagnement_id = acc.id
WHERE l.mode = 'BAIL_GLISSANT' AND l.glissement_fait_le IS NULL AND l.glissement_prevu_le IS NOT NULL
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


def _lignes(requete, sql):
    return requete.lignes(sql, _params(requete.contexte), avant=_CTE_ADMISSIONS)


def contrats_sejour(requete):
    contexte = requete.contexte
    for row in _lignes(requete, _SQL_CONTRAT_SEJOUR):
        if row["contrat_sejour_remis_le"] is None:
            yield Echeance(
                regle=Regle.CONTRAT_SEJOUR,
                cle=f"CONTRAT_SEJOUR:remise:{row['id']}",
                due_le=row["due_remise"],
                etat=contexte.etat(row["due_remise"], row["territoire_id"]),
                message=(
                    f"Remettre le contrat de séjour au plus tard le {date_fr(row['due_remise'])} "
                    f"(entrée le {date_fr(row['date_entree'])})."
                ),
                **commun(row),
            )
        yield Echeance(
            regle=Regle.CONTRAT_SEJOUR,
            cle=f"CONTRAT_SEJOUR:signature:{row['id']}",
            due_le=row["due_signature"],
            etat=contexte.etat(row["due_signature"], row["territoire_id"]),
            message=(
                f"Faire signer le contrat de séjour au plus tard le {date_fr(row['due_signature'])} "
                f"(entrée le {date_fr(row['date_entree'])})."
            ),
            **commun(row),
        )


contrats_sejour.regles = (Regle.CONTRAT_SEJOUR,)


def projets_personnalises(requete):
    contexte = requete.contexte
    for row in _lignes(requete, _SQL_PROJET):
        yield Echeance(
            regle=Regle.PROJET_PERSONNALISE,
            cle=f"PROJET_PERSONNALISE:{row['id']}",
            due_le=row["due"],
            etat=contexte.etat(row["due"], row["territoire_id"]),
            message=f"Fixer les objectifs du projet personnalisé au plus tard le {date_fr(row['due'])}.",
            **commun(row),
        )


projets_personnalises.regles = (Regle.PROJET_PERSONNALISE,)


def garanties(requete):
    le = requete.contexte.le
    for row in _lignes(requete, _SQL_GARANTIES):
        fin = row["garantie_fin"]
        libelle = _LIBELLES_GARANTIES.get(row["garantie_type"], row["garantie_type"])
        fini = fin < le
        yield Echeance(
            regle=Regle.ELIGIBILITE,
            cle=f"ELIGIBILITE:garantie:{row['garantie_id']}:{fin:%Y%m%d}",
            due_le=fin,
            # Inside the GARANTIE_PREAVIS window the tiers must be asked to renew: never « à jour ».
            etat=Etat.EN_RETARD if fini else Etat.BIENTOT,
            message=(
                f"Garantie du tiers ({libelle}) {'terminée depuis' if fini else 'jusqu’au'} le {date_fr(fin)} : "
                "demander son renouvellement au tiers."
            ),
            **commun(row),
        )


garanties.regles = (Regle.ELIGIBILITE,)


def glissements(requete):
    contexte = requete.contexte
    for row in requete.lignes(_SQL_GLISSEMENT):
        due = row["glissement_prevu_le"]
        yield Echeance(
            regle=Regle.GLISSEMENT_BAIL,
            cle=f"GLISSEMENT_BAIL:{row['logement_id']}",
            due_le=due,
            etat=contexte.etat(due, row["territoire_id"]),
            message=f"Glissement du bail prévu le {date_fr(due)} : préparer le transfert au nom de la personne.",
            **commun(row),
        )


glissements.regles = (Regle.GLISSEMENT_BAIL,)

__all__ = ["contrats_sejour", "garanties", "glissements", "projets_personnalises"]
