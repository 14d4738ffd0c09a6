import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The digest is recorded with its e-mail, sent afterwards by a task (courriels)."""

    dependencies = [
        ("courriels", "0001_courriels"),
        ("echeances", "0002_mesureasynchroniser"),
    ]

    operations = [
        migrations.RenameField(model_name="digest", old_name="envoye_le", new_name="prepare_le"),
        migrations.AlterField(
            model_name="digest",
            name="prepare_le",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="préparé le"),
        ),
        migrations.AddField(
            model_name="digest",
            name="courriel",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="digest",
                to="courriels.courriel",
                verbose_name="courriel",
            ),
        ),
    ]
