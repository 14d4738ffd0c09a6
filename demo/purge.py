"""Delete a set of rows and everything that points at them, in SQL (the ORM's Collector would load
millions of rows into memory to send signals). Django's foreign keys are DEFERRABLE INITIALLY DEFERRED,
so inside one transaction the order of the DELETEs does not matter, only that nothing is left behind.
Rows of other apps (alerts, contract versions…) that point at generated rows go too; history tables
have no database constraint and keep their rows."""

from django.db import connection, models


def purger(model, condition, params=None, _pile=()):
    """DELETE FROM model WHERE condition, after its dependents (recursively)."""
    if model._meta.db_table not in _tables():
        return  # a model whose migration is not applied yet has no rows
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # Identifiers come from the models and conditions from our own code, values go through params.
    selection = f"SELECT {pk} FROM {table} WHERE {condition}"  # noqa: S608
    for rel in model._meta.related_objects:
        if rel.many_to_many or not rel.field.db_constraint:
            continue
        enfant = rel.related_model
        if enfant._meta.db_table in _tables() and rel.field.column not in _colonnes(enfant._meta.db_table):
            continue  # a field whose migration is not applied yet
        colonne = connection.ops.quote_name(rel.field.column)
        condition_enfant = f"{colonne} IN ({selection})"
        if rel.on_delete is models.SET_NULL:
            table_enfant = connection.ops.quote_name(enfant._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table_enfant} SET {colonne} = NULL WHERE {condition_enfant}", params)  # noqa: S608
        elif enfant is model or enfant in _pile:
            continue  # a self-reference (precedent) stays inside the set being deleted
        else:
            purger(enfant, condition_enfant, params, (*_pile, model))
    # Auto-created many-to-many tables are hidden from related_objects: clear them explicitly.
    liens = [(f.remote_field.through, f.m2m_column_name()) for f in model._meta.many_to_many]
    liens += [(r.through, r.field.m2m_reverse_name()) for r in model._meta.related_objects if r.many_to_many]
    for through, colonne in liens:
        if through._meta.auto_created and through._meta.db_table in _tables():
            table_lien = connection.ops.quote_name(through._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {table_lien} WHERE {connection.ops.quote_name(colonne)} IN ({selection})",  # noqa: S608
                    params,
                )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {condition}", params)  # noqa: S608


def _tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _colonnes(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}
