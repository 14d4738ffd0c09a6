"""Which kinds of structure offer each modality (issue 17 §4): an association without a résidence does
not open « FJT – accompagnement régulier ». Data of the référentiel, editable in the admin."""

import django.contrib.postgres.fields
from django.db import migrations, models

FJT = ["FJT"]
HORS_FJT = ["ASSOCIATION", "MSVS", "SERVICE_CD"]

TYPES = {
    "FJT_REGULIER": FJT,
    "FJT_PONCTUEL": FJT,
    "FJT_CONVENTION": FJT,
    "RSA_VEILLE": HORS_FJT,
    "RSA_MOBILISATION": HORS_FJT,
    "RSA_SOCIOPRO": HORS_FJT,
    # An orientation to France Travail: recorded by the RSA référent's structure, never opened here.
    "RSA_EMPLOI": HORS_FJT,
    "ASLL": HORS_FJT,
    "GLOBAL": HORS_FJT,
}


def remplir(apps, schema_editor):
    Modalite = apps.get_model("referentiel", "Modalite")
    for code, types in TYPES.items():
        Modalite.objects.filter(code=code).update(types_structure=types)


CHAMP = django.contrib.postgres.fields.ArrayField(
    base_field=models.CharField(
        choices=[
            ("FJT", "résidence FJT / Habitat Jeunes"),
            ("ASSOCIATION", "association"),
            ("MSVS", "Maison de la solidarité (MSVS)"),
            ("SERVICE_CD", "service du Conseil départemental"),
        ],
        max_length=20,
    ),
    blank=True,
    default=list,
    help_text="Une mesure de cette modalité ne s'ouvre que dans une structure de l'un de ces types "
    "(FJT, ASSOCIATION, MSVS, SERVICE_CD).",
    size=None,
    verbose_name="types de structure qui la proposent",
)


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0007_cadence_des_ateliers")]

    operations = [
        migrations.AddField(model_name="modalite", name="types_structure", field=CHAMP),
        migrations.AddField(model_name="historicalmodalite", name="types_structure", field=CHAMP),
        migrations.RunPython(remplir, migrations.RunPython.noop),
    ]
