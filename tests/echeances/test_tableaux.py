"""The référentiel is sent to the rules' SQL as array text: it must read back as the same values."""

import pytest
from django.db import connection

from echeances.base import tableau_pg


@pytest.mark.parametrize(
    ("valeurs", "type_sql"),
    [
        ([1, None, 30], "int[]"),
        ([4, 12345678901], "bigint[]"),
        (["P1M", None, "15 days", ""], "text[]"),
        (['guillemet "', "barre \\ oblique", "virgule, {accolade}", "NULL"], "text[]"),
        ([], "int[]"),
    ],
)
def test_le_texte_du_tableau_relu_par_postgresql(valeurs, type_sql):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{type_sql}", [tableau_pg(valeurs)])
        assert cursor.fetchone()[0] == valeurs
