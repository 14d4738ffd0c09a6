import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The measures written while the alerts' lock was held wait in a queue of their own, synchronised
    right after (echeances.services.synchroniser_en_attente)."""

    dependencies = [
        ("echeances", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MesureASynchroniser",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("accompagnement_id", models.BigIntegerField(verbose_name="mesure")),
                (
                    "depuis",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="en attente depuis"),
                ),
            ],
            options={
                "verbose_name": "mesure à resynchroniser",
                "verbose_name_plural": "mesures à resynchroniser",
            },
        ),
    ]
