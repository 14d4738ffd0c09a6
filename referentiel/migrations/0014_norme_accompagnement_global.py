from django.db import migrations
from django.utils import timezone

# Seed 004 (Aide Accueil, « Accompagnement social global et interventions décloisonnées »), line 57: « Sur
# l'année, une quinzaine de personne peuvent bénéficier de ce dispositif (entrées et sorties régulières) »,
# for « 1 ETP de travailleur social » (line 86). That is a yearly flow; the référentiel's norm is a caseload
# held at once per full-time worker. A flow of about 15 a year cannot put more than 15 in the caseload at
# once, and with measures lasting about a year (entries and exits spread over it) it is about 15: read as a
# caseload of 15 per ETP, the ceiling the seed allows.
NORME_GLOBAL = 15


def fixer(apps, schema_editor):
    """GLOBAL had no norm (0002): set it, unless an administrator already chose one. The migration's models
    record no history (and update() sends no signal, whatever the models): the change is written in the
    modality's history once, as an edit in the admin would be."""
    Modalite = apps.get_model("referentiel", "Modalite")
    HistoricalModalite = apps.get_model("referentiel", "HistoricalModalite")
    for modalite in Modalite.objects.filter(code="GLOBAL", norme_file_active__isnull=True):
        Modalite.objects.filter(pk=modalite.pk).update(norme_file_active=NORME_GLOBAL)
        modalite.norme_file_active = NORME_GLOBAL
        HistoricalModalite.objects.create(
            **{champ.attname: getattr(modalite, champ.attname) for champ in Modalite._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="Norme de file active : seed 004",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referentiel", "0013_conditions_de_sortie"),
    ]

    # Backwards, the norm stays: it is référentiel data an administrator may have kept on purpose.
    operations = [migrations.RunPython(fixer, migrations.RunPython.noop)]
