"""Dated versions of the référentiel (issue 20): a value applies from `en_vigueur_le` (empty: since the
beginning). Today's values become versions in force since their creation: the national ones (the
modalities' own values, national parameters, loaded by the migrations) since the beginning, a département's
or a territory's since the day its row was created (its first history record; none: since the beginning).
No current due date moves (tests/referentiel/test_versions.py compares the engine before and after)."""

import importlib

from django.db import migrations, models
from django.utils import timezone

# Where each modality's national values come from (shown with every échéance of the dossier).
SOURCES = {
    "FJT_REGULIER": "Habitat Jeunes, l'accompagnement personnalisé",
    "FJT_PONCTUEL": "Habitat Jeunes, l'accompagnement personnalisé",
    "FJT_CONVENTION": "référentiel partenaires ALJT 2025",
    "RSA_VEILLE": "référentiel de l'accompagnement des Vosges (octobre 2024)",
    "RSA_MOBILISATION": "référentiel de l'accompagnement des Vosges (octobre 2024)",
    "RSA_SOCIOPRO": "référentiel de l'accompagnement des Vosges (octobre 2024)",
    "RSA_EMPLOI": "référentiel de l'accompagnement des Vosges (octobre 2024)",
    "ASLL": "référentiel de l'accompagnement des Vosges (octobre 2024)",
    "GLOBAL": "Logement d'abord, l'accompagnement global coordonné d'Aide Accueil",
}


def dater(apps, schema_editor):
    Modalite = apps.get_model("referentiel", "Modalite")
    for code, source in SOURCES.items():
        Modalite.objects.filter(code=code, source="").update(source=source)
    for nom in ("SurchargeModalite", "Parametre"):
        modele = apps.get_model("referentiel", nom)
        historique = apps.get_model("referentiel", f"Historical{nom}")
        locales = modele.objects.filter(models.Q(departement__isnull=False) | models.Q(territoire__isnull=False))
        for version in locales.filter(en_vigueur_le__isnull=True):
            premiere = historique.objects.filter(id=version.pk).order_by("history_date").first()
            if premiere is not None:
                version.en_vigueur_le = timezone.localdate(premiere.history_date)
                version.save(update_fields=["en_vigueur_le"])
    Parametre = apps.get_model("referentiel", "Parametre")
    donnees = importlib.import_module("referentiel.migrations.0002_donnees_referentiel")
    for code, nature, valeur, source in donnees.PARAMETRES:
        if code == "CONTRAT_ENGAGEMENT_DEPUIS":
            Parametre.objects.get_or_create(
                code=code, departement=None, territoire=None, en_vigueur_le=None,
                defaults={"nature": nature, "valeur": valeur, "source": source},
            )  # fmt: skip


def dedater(apps, schema_editor):
    apps.get_model("referentiel", "Parametre").objects.filter(code="CONTRAT_ENGAGEMENT_DEPUIS").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("referentiel", "0011_parametres_sanction"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="historicalsurchargemodalite",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical version des valeurs d'une modalité",
                "verbose_name_plural": "historical versions des valeurs des modalités",
            },
        ),
        migrations.AlterModelOptions(
            name="surchargemodalite",
            options={
                "verbose_name": "version des valeurs d'une modalité",
                "verbose_name_plural": "versions des valeurs des modalités",
            },
        ),
        migrations.RemoveConstraint(
            model_name="parametre",
            name="parametre_unique",
        ),
        migrations.RemoveConstraint(
            model_name="surchargemodalite",
            name="surcharge_un_seul_niveau",
        ),
        migrations.RemoveConstraint(
            model_name="surchargemodalite",
            name="surcharge_unique",
        ),
        migrations.AddField(
            model_name="historicalmodalite",
            name="source",
            field=models.CharField(
                blank=True,
                help_text="Le texte d'où viennent ces valeurs ; une valeur changée ensuite a sa propre version datée.",
                max_length=200,
                verbose_name="source des valeurs d'origine",
            ),
        ),
        migrations.AddField(
            model_name="historicalparametre",
            name="en_vigueur_le",
            field=models.DateField(
                blank=True,
                help_text="Vide : depuis l'origine. Une version d'une date future est « à venir ».",
                null=True,
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddField(
            model_name="historicalsurchargemodalite",
            name="en_vigueur_le",
            field=models.DateField(
                blank=True,
                help_text="Vide : depuis l'origine. Une version d'une date future est « à venir ».",
                null=True,
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddField(
            model_name="historicalsurchargemodalite",
            name="source",
            field=models.CharField(
                blank=True, help_text="ex. référentiel des Vosges 2027", max_length=200, verbose_name="source"
            ),
        ),
        migrations.AddField(
            model_name="modalite",
            name="source",
            field=models.CharField(
                blank=True,
                help_text="Le texte d'où viennent ces valeurs ; une valeur changée ensuite a sa propre version datée.",
                max_length=200,
                verbose_name="source des valeurs d'origine",
            ),
        ),
        migrations.AddField(
            model_name="parametre",
            name="en_vigueur_le",
            field=models.DateField(
                blank=True,
                help_text="Vide : depuis l'origine. Une version d'une date future est « à venir ».",
                null=True,
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddField(
            model_name="surchargemodalite",
            name="en_vigueur_le",
            field=models.DateField(
                blank=True,
                help_text="Vide : depuis l'origine. Une version d'une date future est « à venir ».",
                null=True,
                verbose_name="en vigueur à partir du",
            ),
        ),
        migrations.AddField(
            model_name="surchargemodalite",
            name="source",
            field=models.CharField(
                blank=True, help_text="ex. référentiel des Vosges 2027", max_length=200, verbose_name="source"
            ),
        ),
        migrations.AlterField(
            model_name="historicalparametre",
            name="code",
            field=models.CharField(
                choices=[
                    ("ORIENTATION_RSA_DELAI", "orientation après ouverture du droit RSA"),
                    ("CER_SIGNATURE_DELAI", "signature du CER après l'orientation"),
                    ("CONTRAT_ENGAGEMENT_SIGNATURE_DELAI", "signature du contrat d'engagement après l'orientation"),
                    ("RENOUVELLEMENT_PREAVIS", "préparation du renouvellement avant la fin du contrat"),
                    ("VALIDATION_ATTENTE_MAX", "attente de validation au plus"),
                    ("BIENTOT_DU", "« bientôt dû » dans les"),
                    ("ABSENCES_SUCCESSIVES", "absences non excusées successives avant signalement"),
                    ("ATELIER_PARTICIPANTS_MIN", "participants au moins par action collective"),
                    ("ATELIER_PARTICIPANTS_MAX", "participants attendus au plus par action collective"),
                    ("ATELIERS_PAR_MOIS_MIN", "actions collectives par mois, au moins"),
                    ("ATELIERS_PAR_MOIS_MAX", "actions collectives par mois, au plus"),
                    ("ACTIVITE_HEBDO_HEURES", "heures d'activité par semaine (contrat d'engagement)"),
                    ("NOUVEL_ENTRANT_DUREE", "nouvel entrant : droit RSA ouvert depuis moins de"),
                    ("FJT_AGE_ALERTE", "FJT : avertissement au-delà de l'âge de"),
                    ("CONTRAT_SEJOUR_REMISE", "contrat de séjour remis après l'admission"),
                    ("CONTRAT_SEJOUR_SIGNATURE", "contrat de séjour signé après l'admission"),
                    ("PROJET_PERSONNALISE_DELAI", "objectifs du projet personnalisé après l'admission"),
                    ("GARANTIE_PREAVIS", "alerte avant la fin d'une garantie du tiers"),
                    ("AGE_SORTIE_PREAVIS", "alerte avant la sortie de la tranche d'âge de la modalité"),
                    ("FIN_SEJOUR_PREAVIS", "préavis d'une fin de séjour décidée par la résidence"),
                    ("CONSERVATION_DOSSIER", "dossier actif après le dernier contact"),
                    ("CONSERVATION_JOURNAL", "conservation du journal des accès"),
                    ("DROIT_ACCES_DELAI", "réponse à une demande d'accès au dossier"),
                    ("CER_REMPLACEMENT_AVANT", "CER remplacés par des contrats d'engagement au plus tard le"),
                    ("CONVOCATION_DELAI", "accompagnement rénové : convocation après l'orientation"),
                    ("REORIENTATION_REPONSE_DELAI", "réponse du délégué à une demande de réorientation"),
                    ("SANCTION_OBSERVATIONS_DELAI", "sanction : observations de la personne après l'avoir informée"),
                    (
                        "SANCTION_DECISION_DELAI",
                        "sanction : avis de l'équipe pluridisciplinaire et décision après le délai d'observations",
                    ),
                    ("SUSPENSION_TAUX_MIN", "suspension-remobilisation : part suspendue au moins (%)"),
                    ("SUSPENSION_TAUX_MAX", "suspension-remobilisation : part suspendue au plus (%)"),
                    ("SUSPENSION_DUREE_MAX", "suspension-remobilisation : durée au plus (mois)"),
                    (
                        "CONTRAT_ENGAGEMENT_DEPUIS",
                        "contrat d'engagement (et non plus CER) pour les orientations décidées à partir du",
                    ),
                ],
                max_length=40,
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="historicalparametre",
            name="source",
            field=models.CharField(
                blank=True, help_text="ex. référentiel des Vosges 2027", max_length=200, verbose_name="source"
            ),
        ),
        migrations.AlterField(
            model_name="parametre",
            name="code",
            field=models.CharField(
                choices=[
                    ("ORIENTATION_RSA_DELAI", "orientation après ouverture du droit RSA"),
                    ("CER_SIGNATURE_DELAI", "signature du CER après l'orientation"),
                    ("CONTRAT_ENGAGEMENT_SIGNATURE_DELAI", "signature du contrat d'engagement après l'orientation"),
                    ("RENOUVELLEMENT_PREAVIS", "préparation du renouvellement avant la fin du contrat"),
                    ("VALIDATION_ATTENTE_MAX", "attente de validation au plus"),
                    ("BIENTOT_DU", "« bientôt dû » dans les"),
                    ("ABSENCES_SUCCESSIVES", "absences non excusées successives avant signalement"),
                    ("ATELIER_PARTICIPANTS_MIN", "participants au moins par action collective"),
                    ("ATELIER_PARTICIPANTS_MAX", "participants attendus au plus par action collective"),
                    ("ATELIERS_PAR_MOIS_MIN", "actions collectives par mois, au moins"),
                    ("ATELIERS_PAR_MOIS_MAX", "actions collectives par mois, au plus"),
                    ("ACTIVITE_HEBDO_HEURES", "heures d'activité par semaine (contrat d'engagement)"),
                    ("NOUVEL_ENTRANT_DUREE", "nouvel entrant : droit RSA ouvert depuis moins de"),
                    ("FJT_AGE_ALERTE", "FJT : avertissement au-delà de l'âge de"),
                    ("CONTRAT_SEJOUR_REMISE", "contrat de séjour remis après l'admission"),
                    ("CONTRAT_SEJOUR_SIGNATURE", "contrat de séjour signé après l'admission"),
                    ("PROJET_PERSONNALISE_DELAI", "objectifs du projet personnalisé après l'admission"),
                    ("GARANTIE_PREAVIS", "alerte avant la fin d'une garantie du tiers"),
                    ("AGE_SORTIE_PREAVIS", "alerte avant la sortie de la tranche d'âge de la modalité"),
                    ("FIN_SEJOUR_PREAVIS", "préavis d'une fin de séjour décidée par la résidence"),
                    ("CONSERVATION_DOSSIER", "dossier actif après le dernier contact"),
                    ("CONSERVATION_JOURNAL", "conservation du journal des accès"),
                    ("DROIT_ACCES_DELAI", "réponse à une demande d'accès au dossier"),
                    ("CER_REMPLACEMENT_AVANT", "CER remplacés par des contrats d'engagement au plus tard le"),
                    ("CONVOCATION_DELAI", "accompagnement rénové : convocation après l'orientation"),
                    ("REORIENTATION_REPONSE_DELAI", "réponse du délégué à une demande de réorientation"),
                    ("SANCTION_OBSERVATIONS_DELAI", "sanction : observations de la personne après l'avoir informée"),
                    (
                        "SANCTION_DECISION_DELAI",
                        "sanction : avis de l'équipe pluridisciplinaire et décision après le délai d'observations",
                    ),
                    ("SUSPENSION_TAUX_MIN", "suspension-remobilisation : part suspendue au moins (%)"),
                    ("SUSPENSION_TAUX_MAX", "suspension-remobilisation : part suspendue au plus (%)"),
                    ("SUSPENSION_DUREE_MAX", "suspension-remobilisation : durée au plus (mois)"),
                    (
                        "CONTRAT_ENGAGEMENT_DEPUIS",
                        "contrat d'engagement (et non plus CER) pour les orientations décidées à partir du",
                    ),
                ],
                max_length=40,
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="parametre",
            name="source",
            field=models.CharField(
                blank=True, help_text="ex. référentiel des Vosges 2027", max_length=200, verbose_name="source"
            ),
        ),
        migrations.AddConstraint(
            model_name="parametre",
            constraint=models.UniqueConstraint(
                fields=("code", "departement", "territoire", "en_vigueur_le"),
                name="parametre_unique",
                nulls_distinct=False,
                violation_error_message="Ce paramètre a déjà une version à ce niveau à cette date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="surchargemodalite",
            constraint=models.CheckConstraint(
                condition=models.Q(("departement__isnull", False), ("territoire__isnull", False), _negated=True),
                name="surcharge_un_seul_niveau",
                violation_error_message="Choisissez soit un département, soit un territoire, pas les deux.",
            ),
        ),
        migrations.AddConstraint(
            model_name="surchargemodalite",
            constraint=models.UniqueConstraint(
                fields=("modalite", "departement", "territoire", "en_vigueur_le"),
                name="surcharge_unique",
                nulls_distinct=False,
                violation_error_message="Cette modalité a déjà une version à ce niveau à cette date.",
            ),
        ),
        migrations.RunPython(dater, dedater),
    ]
