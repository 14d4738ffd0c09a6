"""Renewals: a cancelled or refused renewal no longer blocks the next one (ForeignKey + one living
renewal per contract), and the database itself refuses a gap: a living renewal starts on the day its
previous contract ends (the exclusion constraint of 0002 already refuses an overlap).

A trigger rather than a composite foreign key (precedent_id, date_debut) -> (id, date_fin): only living
contracts are bound (a cancelled draft keeps its old dates when the previous contract is broken early).
`FOR SHARE` holds the previous contract's row, so a concurrent change of its end date waits."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQL = """
CREATE OR REPLACE FUNCTION contrat_renouvellement_sans_trou() RETURNS trigger AS $$
BEGIN
    IF NEW.precedent_id IS NOT NULL AND NEW.etat NOT IN ('ANNULE', 'REFUSE') THEN
        PERFORM 1 FROM contrats_contrat p
            WHERE p.id = NEW.precedent_id AND p.date_fin = NEW.date_debut FOR SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'contrat_renouvellement_sans_trou : le renouvellement % ne commence pas le jour où finit le contrat précédent.', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.date_fin <> OLD.date_fin AND EXISTS (
        SELECT 1 FROM contrats_contrat s
        WHERE s.precedent_id = NEW.id AND s.etat NOT IN ('ANNULE', 'REFUSE') AND s.date_debut <> NEW.date_fin
    ) THEN
        RAISE EXCEPTION 'contrat_renouvellement_sans_trou : la fin du contrat % ne peut changer : son renouvellement commence ce jour-là.', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER contrat_renouvellement_sans_trou
    BEFORE INSERT OR UPDATE OF precedent_id, date_debut, date_fin, etat ON contrats_contrat
    FOR EACH ROW EXECUTE FUNCTION contrat_renouvellement_sans_trou();
"""

SQL_INVERSE = """
DROP TRIGGER IF EXISTS contrat_renouvellement_sans_trou ON contrats_contrat;
DROP FUNCTION IF EXISTS contrat_renouvellement_sans_trou();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accompagnement", "0003_actioncollective_jeton_entretien_jeton_and_more"),
        ("contrats", "0002_signatures_versions"),
        ("referentiel", "0002_donnees_referentiel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="contrat",
            name="precedent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="successeurs",
                to="contrats.contrat",
                verbose_name="contrat renouvelé",
            ),
        ),
        migrations.AddConstraint(
            model_name="contrat",
            constraint=models.UniqueConstraint(
                condition=models.Q(("etat__in", ["ANNULE", "REFUSE"]), _negated=True),
                fields=("precedent",),
                name="contrat_un_seul_renouvellement",
                violation_error_message="Ce contrat a déjà un renouvellement.",
            ),
        ),
        migrations.RunSQL(SQL, SQL_INVERSE),
    ]
