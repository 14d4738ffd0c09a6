"""The access log cannot be changed from the app, nor by a stray SQL statement: UPDATE is always
refused; DELETE only for rows older than the limit set, inside the purge's own transaction, by
`journal.services.purger` (set_config('journal.purge', <limit>, true))."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION journal_ajout_seul() RETURNS trigger AS $$
DECLARE
    limite text := current_setting('journal.purge', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(limite, '') <> '' AND OLD.horodatage < limite::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des accès ne peut être ni modifié ni supprimé (%).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER journal_ajout_seul
    BEFORE UPDATE OR DELETE ON journal_journalacces
    FOR EACH ROW EXECUTE FUNCTION journal_ajout_seul();
"""

SQL_INVERSE = """
DROP TRIGGER IF EXISTS journal_ajout_seul ON journal_journalacces;
DROP FUNCTION IF EXISTS journal_ajout_seul();
"""


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunSQL(SQL, SQL_INVERSE)]
