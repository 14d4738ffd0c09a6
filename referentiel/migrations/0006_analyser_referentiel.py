"""The référentiel's tables are filled by migrations (a few hundred rows), far below autovacuum's threshold:
without this they stay without statistics until someone runs ANALYZE, and the planner misjudges every join
through them (issue 18). Analysing is cheap and changes no data; nothing to undo."""

from django.db import migrations


def analyser(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for model in apps.get_app_config("referentiel").get_models():
            cursor.execute(f"ANALYZE {schema_editor.quote_name(model._meta.db_table)}")


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0005_version_du_referentiel")]

    operations = [migrations.RunPython(analyser, migrations.RunPython.noop, elidable=True)]
