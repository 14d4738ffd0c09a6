"""Planner statistics the engine's plans rely on. Autovacuum analyses a table only after 50 rows and 10 %
were written: the few dozen structures, territories and modalities of a new installation are never
analysed, and without statistics the planner misjudged every join of the morning run (issue 18: 249 s at
30,000 people, 136 ms once analysed). The rules no longer depend on it (echeances/regles_contrats.py), but
other plans still do: what was never analysed is analysed before the morning run and after bulk loads."""

from django.apps import apps
from django.db import connection

# The apps whose tables the engine's queries read.
APPS_LUES = ("referentiel", "accounts", "residents", "accompagnement", "contrats", "admissions", "echeances")


def tables_lues():
    tables = set()
    for label in APPS_LUES:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


# Never analysed: no statistics for any column (pg_stats, transactional, unlike pg_stat_user_tables whose
# counters reach the view up to a second later). An empty table has none either: analysing it costs nothing.
_SQL_JAMAIS_ANALYSEES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname)
ORDER BY c.relname
"""


def analyser_jamais_analysees(tables=None):
    """ANALYZE each table of `tables` (default: those the engine reads) that has no statistics yet.
    Returns the names of the tables analysed."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL_JAMAIS_ANALYSEES, [list(tables or tables_lues())])
        noms = [nom for (nom,) in cursor.fetchall()]
        for nom in noms:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(nom)}")
    return noms


def oublier_statistiques(cursor, garder=()):
    """As on a new installation: every table but `garder` never analysed (the plan tests, the bench). Only
    inside a transaction the caller rolls back; superuser only (pg_statistic), as the embedded server's."""
    cursor.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT (c.relname = ANY(%s))",
        [list(garder)],
    )
    oids = [oid for (oid,) in cursor.fetchall()]
    cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s)", [oids])
    cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = ANY(%s)", [oids])
