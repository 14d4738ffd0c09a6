"""The base as it was at the end of a past day, for the engine (`Contexte(le, historique=True)`).

Each statement of the rules gets leading CTEs named after the live tables it reads (`contrats_contrat`…):
PostgreSQL resolves a table name to a CTE of that name first, so the rules' SQL is unchanged and reads
the snapshot. A snapshot is the last version of each row recorded by django-simple-history before the
end of the local day `le` (a row whose last version then is a deletion did not exist that day, a row
first recorded after it did not exist yet): one pass over the history table, a sort by id.

A row that was never recorded in history (written by a bulk load or SQL, which send no signal: the
synthetic benchmark base, an old import) is read as it is now, as without this mode, rather than lost.

Shadowed: the tables below (SHADOWED). Not shadowed, read as they are now: the référentiel's structures,
modalities and territories (read for `le` with the référentiel itself, Contexte), and the recipients
(Contexte.delegues / responsables: users' territories and structures are many-to-many relations that
history does not record)."""

import datetime
import functools
import zoneinfo

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import GeneratedField

# Every table the rules read whose state changes over time and has a history table (models by label:
# read once the apps are ready).
SHADOWED = (
    "accompagnement.Accompagnement",
    "contrats.Contrat",
    "residents.Resident",
    "accompagnement.DecisionOrientation",
    "accompagnement.DemandeReorientation",
    "accompagnement.Entretien",
    "accompagnement.Participation",
    "accompagnement.ActionCollective",
    "echeances.SignalementSanction",
    "accounts.User",
    "admissions.Candidature",
    "accompagnement.Objectif",
    "admissions.GarantieTiers",
    "admissions.Logement",
)

# Tables the rules read as they are now, on purpose (see the docstring).
NOT_SHADOWED = ("referentiel_structure", "referentiel_modalite", "referentiel_territoire")


def parametres(le):
    """The statement's parameter: the end of the local day `le` (history_date is stored in UTC)."""
    fin = datetime.datetime.combine(
        le + datetime.timedelta(days=1), datetime.time(), zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    return {"historique_avant": fin}


def ombres(texte):
    """The leading CTEs (each followed by a comma) shadowing the tables `texte` reads."""
    return "".join(sql + ",\n" for table, sql in _ombres() if table in texte)


@functools.cache
def _ombres():
    modeles = [apps.get_model(label) for label in SHADOWED]
    return tuple((model._meta.db_table, _ombre(model)) for model in modeles)


def _ombre(model):
    table = model._meta.db_table
    historique = model.history.model._meta.db_table
    enregistrees = {f.column for f in model.history.model._meta.concrete_fields}
    colonnes = [f.column for f in model._meta.concrete_fields]
    # Columns history does not keep: a generated one is computed again, any other is not read by the rules.
    versions = ", ".join(
        f'"{c}"' if c in enregistrees else f'{_manquante(model._meta.get_field(_nom(model, c)))} AS "{c}"'
        for c in colonnes
    )
    liste = ", ".join(f'"{c}"' for c in colonnes)
    # Not RECURSIVE: inside its own CTE, `table` is the live table.
    return f"""
"{table}" AS (
    SELECT {liste} FROM (
        SELECT DISTINCT ON (id) {versions}, history_type
        FROM "{historique}" WHERE history_date < %(historique_avant)s
        ORDER BY id, history_date DESC, history_id DESC
    ) AS derniere
    WHERE history_type <> '-'
    UNION ALL
    SELECT {liste} FROM "{table}" AS vivante
    WHERE NOT EXISTS (SELECT 1 FROM "{historique}" AS h WHERE h.id = vivante.id)
)"""  # noqa: S608 (table and column names of our models)


def _nom(model, colonne):
    return next(f.name for f in model._meta.concrete_fields if f.column == colonne)


def _manquante(field):
    if isinstance(field, GeneratedField):
        sql, params = field.generated_sql(connection)
        connection.ensure_connection()
        litteraux = tuple(connection.SchemaEditorClass(connection).quote_value(p) for p in params)
        # The statement is run with named parameters: a literal % must be doubled.
        return f"({sql % litteraux})".replace("%", "%%")
    return f"NULL::{field.db_type(connection)}"
