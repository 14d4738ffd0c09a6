"""The base as it was at the end of a past day, for the engine (`Contexte(le, historique=True)`).

Each statement of the rules gets leading CTEs named after the live tables it reads (`contrats_contrat`…):
PostgreSQL resolves a table name to a CTE of that name first, so the rules' SQL is unchanged and reads
the snapshot. A snapshot is the last version of each row recorded by django-simple-history before the
end of the local day `le` (a row whose last version then is a deletion did not exist that day, a row
first recorded after it did not exist yet).

Each snapshot is made once per context, in one pass over its history table (a sort by id), into a
temporary table with the live table's indexes on ids and foreign keys, analysed: the rules join and
correlate on those (a contract per measure, an entretien per decision); over a CTE, which has no index,
each correlated lookup rescanned the whole snapshot (quadratic: minutes at 5,000 people). The CTE is
NOT MATERIALIZED, so the planner sees the temporary table itself. The temporary tables go with the
transaction (ON COMMIT DROP): a context in this mode is used inside transaction.atomic().

A row that was never recorded in history (written by a bulk load or SQL, which send no signal: the
synthetic benchmark base, an old import) is read as it is now, as without this mode, rather than lost.

Shadowed: SHADOWED below. Read as they are now: NOT_SHADOWED (the référentiel's structures, modalities
and territories, read for `le` with the référentiel itself by Contexte), and the recipients
(Contexte.delegues / responsables: users' territories and structures are many-to-many relations that
history does not record)."""

import datetime
import itertools
import zoneinfo

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import ForeignKey, GeneratedField

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

# Temporary tables of two contexts of one session never share a name (a snapshot is of one day and one moment).
_NUMEROS = itertools.count(1)


class Instantane:
    """The snapshots of one context (one day), made when a statement first reads their table."""

    def __init__(self, le):
        fin = datetime.datetime.combine(le + datetime.timedelta(days=1), datetime.time())
        self.avant = fin.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))  # history_date is in UTC
        self.prefixe = f"asof{next(_NUMEROS)}_"
        self.faites = set()

    def ombres(self, texte):
        """The leading CTEs (each followed by a comma) shadowing the tables `texte` reads."""
        modeles = [m for m in _modeles() if m._meta.db_table in texte]
        for modele in modeles:
            if modele._meta.db_table not in self.faites:
                self._faire(modele)
        return "".join(
            f'"{m._meta.db_table}" AS NOT MATERIALIZED (SELECT * FROM pg_temp."{self.prefixe}{m._meta.db_table}"),\n'  # noqa: S608 (our tables' names)
            for m in modeles
        )

    def _faire(self, modele):
        if not connection.in_atomic_block:
            raise RuntimeError("Les échéances d'un jour passé se calculent dans transaction.atomic().")
        table = modele._meta.db_table
        temporaire = f'pg_temp."{self.prefixe}{table}"'
        with connection.cursor() as cursor:
            cursor.execute(_instantane(modele, temporaire), {"avant": self.avant})
            for i, colonne in enumerate(_colonnes_indexees(modele)):
                cursor.execute(f'CREATE INDEX "{self.prefixe}{table}_{i}" ON {temporaire} ("{colonne}")')
            # Autovacuum never analyses a temporary table: without statistics every plan guesses.
            cursor.execute(f"ANALYZE {temporaire}")
        self.faites.add(table)


def _modeles():
    return [apps.get_model(label) for label in SHADOWED]


def _instantane(modele, temporaire):
    table = modele._meta.db_table
    historique = modele.history.model._meta.db_table
    enregistrees = {f.column for f in modele.history.model._meta.concrete_fields}
    champs = modele._meta.concrete_fields
    # Columns history does not keep: a generated one is computed again, any other is not read by the rules.
    versions = ", ".join(
        f'"{f.column}"' if f.column in enregistrees else f'{_manquante(f)} AS "{f.column}"' for f in champs
    )
    liste = ", ".join(f'"{f.column}"' for f in champs)
    return f"""
CREATE TEMPORARY TABLE {temporaire} ON COMMIT DROP AS
SELECT {liste} FROM (
    SELECT DISTINCT ON (id) {versions}, history_type
    FROM "{historique}" WHERE history_date < %(avant)s
    ORDER BY id, history_date DESC, history_id DESC
) AS derniere
WHERE history_type <> '-'
UNION ALL
SELECT {liste} FROM "{table}" AS vivante
WHERE NOT EXISTS (SELECT 1 FROM "{historique}" AS h WHERE h.id = vivante.id)
"""  # noqa: S608 (table and column names of our models)


def _colonnes_indexees(modele):
    """The primary key and the foreign keys: what the rules join and correlate on."""
    return [f.column for f in modele._meta.concrete_fields if f.primary_key or isinstance(f, ForeignKey)]


def _manquante(field):
    if isinstance(field, GeneratedField):
        sql, params = field.generated_sql(connection)
        connection.ensure_connection()
        litteraux = tuple(connection.SchemaEditorClass(connection).quote_value(p) for p in params)
        # The statement is run with named parameters: a literal % must be doubled.
        return f"({sql % litteraux})".replace("%", "%%")
    return f"NULL::{field.db_type(connection)}"
