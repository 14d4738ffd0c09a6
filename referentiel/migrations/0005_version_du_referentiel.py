"""A version number of the référentiel that PostgreSQL itself moves on every write to its tables (admin,
QuerySet.update(), raw SQL, a flush): referentiel.regles.referentiel_en_vigueur() keeps what it read
until the number changes. The number is a row (transactional: a reader never sees it move before the
data it stands for) taking its values from a sequence (never reused after a rollback)."""

from django.db import migrations

TABLES = (
    "referentiel_departement",
    "referentiel_territoire",
    "referentiel_modalite",
    "referentiel_surchargemodalite",
    "referentiel_parametre",
)

CREER = [
    "CREATE SEQUENCE referentiel_version_seq",
    "CREATE TABLE referentiel_version (numero bigint NOT NULL)",
    "INSERT INTO referentiel_version (numero) VALUES (nextval('referentiel_version_seq'))",
    """CREATE FUNCTION referentiel_version_suivante() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE referentiel_version SET numero = nextval('referentiel_version_seq');
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION referentiel_version_suivante()"
        for table in TABLES
    ),
]

SUPPRIMER = [
    *(f"DROP TRIGGER {table}_version ON {table}" for table in TABLES),
    "DROP FUNCTION referentiel_version_suivante()",
    "DROP TABLE referentiel_version",
    "DROP SEQUENCE referentiel_version_seq",
]


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0004_structure_numero_convention")]

    operations = [migrations.RunSQL(CREER, SUPPRIMER)]
