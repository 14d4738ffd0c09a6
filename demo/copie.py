"""PostgreSQL COPY into a model's table, for the synthetic base (millions of rows in seconds).

The caller formats the columns it cares about; every other concrete field of the model gets its
model default, computed once. So a field another app adds later (with a default, as additive changes
must have) does not break the generator. A GENERATED column (`Entretien.physique`) is never copied."""

import datetime
import decimal
import uuid

from django.db import connection, models
from django.utils import timezone

NULL = r"\N"
_ECHAPPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def texte(valeur):
    """A value in COPY's text format."""
    if valeur is None:
        return NULL
    if isinstance(valeur, bool):
        return "t" if valeur else "f"
    if isinstance(valeur, str):
        return valeur.translate(_ECHAPPE)
    if isinstance(valeur, int | float | decimal.Decimal | uuid.UUID):
        return str(valeur)
    if isinstance(valeur, datetime.date):  # datetime too
        return valeur.isoformat()
    if isinstance(valeur, list | tuple):
        elements = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in valeur)
        return texte("{" + elements + "}")
    if hasattr(valeur, "obj"):  # psycopg's Jsonb wrapper
        import json

        return texte(json.dumps(valeur.obj))
    raise TypeError(f"Valeur non prise en charge pour COPY : {valeur!r}")


def _defaut(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        valeur = timezone.now() if isinstance(field, models.DateTimeField) else timezone.localdate()
    else:
        valeur = field.get_default()
    return texte(field.get_db_prep_save(valeur, connection))


class Copie:
    """`with Copie(Model, ["col_a", "col_b"]) as copie: copie.ligne("a\tb")` (values already COPY text)."""

    TAMPON = 1 << 20

    def __init__(self, model, colonnes):
        self.model = model
        self.colonnes = list(colonnes)
        champs = {f.column: f for f in model._meta.concrete_fields}
        inconnues = set(self.colonnes) - set(champs)
        if inconnues:
            raise ValueError(f"Colonnes inconnues pour {model.__name__} : {sorted(inconnues)}")
        with connection.cursor() as cursor:
            en_base = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
        # A field whose migration is not applied yet has no column: leave it out rather than fail.
        autres = [
            f
            for f in model._meta.concrete_fields
            if f.column not in self.colonnes and f.column in en_base and not f.generated and not f.primary_key
        ]
        self.toutes = self.colonnes + [f.column for f in autres]
        self.suffixe = "".join("\t" + _defaut(f) for f in autres) + "\n"
        self.nombre = 0

    def __enter__(self):
        cols = ", ".join(connection.ops.quote_name(c) for c in self.toutes)
        table = connection.ops.quote_name(self.model._meta.db_table)
        self._cursor = connection.cursor()
        self._copy_cm = self._cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self._morceaux = []
        self._taille = 0
        return self

    def ligne(self, valeurs):
        morceau = valeurs + self.suffixe
        self._morceaux.append(morceau)
        self._taille += len(morceau)
        self.nombre += 1
        if self._taille >= self.TAMPON:
            self._vider()

    def _vider(self):
        if self._morceaux:
            self._copy.write("".join(self._morceaux).encode())
            self._morceaux = []
            self._taille = 0

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._vider()
            return self._copy_cm.__exit__(exc_type, exc, tb)
        finally:
            self._cursor.close()


def reserver_ids(model, nombre):
    """`nombre` fresh primary keys from the table's sequence, so rows copied later can point at each other."""
    if nombre == 0:
        return []
    table = model._meta.db_table
    colonne = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, colonne, nombre],
        )
        return [row[0] for row in cursor.fetchall()]
