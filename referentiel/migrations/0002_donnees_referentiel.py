"""The national values of the référentiel (domain.md §3 and §10; sources [000]–[004]).
Editable afterwards in the admin, with history; a département or territory overrides them."""

from django.db import migrations

MODALITES = [
    # code, libellé, champ, contrat, durée, renouvellements, contact, rencontre, norme, âge min, âge max, ordre
    ("FJT_REGULIER", "FJT – accompagnement régulier", "FJT", "COM", "P1M", None, "", "P1M", None, 16, 30, 10),
    ("FJT_PONCTUEL", "FJT – accompagnement ponctuel", "FJT", "", "", None, "", "", None, 16, 30, 20),
    (
        "FJT_CONVENTION",
        "FJT – public sous convention",
        "FJT",
        "COM",
        "P1M",
        None,
        "",
        "P1M",
        None,
        16,
        30,
        30,
    ),
    ("RSA_VEILLE", "RSA – veille", "INSERTION", "CER", "P12M", None, "", "P6M", 300, 30, None, 40),
    (
        "RSA_MOBILISATION",
        "RSA – mobilisation sociale",
        "INSERTION",
        "CER",
        "P6M",
        None,
        "P15D",
        "P6W",
        80,
        None,
        None,
        50,
    ),
    (
        "RSA_SOCIOPRO",
        "RSA – accompagnement socioprofessionnel",
        "INSERTION",
        "CER",
        "P6M",
        None,
        "P15D",
        "P1M",
        70,
        None,
        None,
        60,
    ),
    ("RSA_EMPLOI", "RSA – emploi (France Travail)", "INSERTION", "", "", None, "", "", None, None, None, 70),
    (
        "ASLL",
        "ASLL – accompagnement social lié au logement",
        "LOGEMENT",
        "PLAN_ASLL",
        "P6M",
        2,
        "P15D",
        "P6W",
        40,
        None,
        None,
        80,
    ),
    (
        "GLOBAL",
        "Accompagnement global coordonné",
        "LOGEMENT_EMPLOI",
        "PROJET",
        "",
        None,
        "P7D",
        "",
        None,
        None,
        None,
        90,
    ),
]

PARAMETRES = [
    ("ORIENTATION_RSA_DELAI", "DELAI", "P1M", "[003] orientation dans le mois de l'ouverture du droit"),
    ("CER_SIGNATURE_DELAI", "DELAI", "P2M", "[003] CER signé dans les 2 mois de l'orientation"),
    (
        "CONTRAT_ENGAGEMENT_SIGNATURE_DELAI",
        "DELAI",
        "P1M",
        "loi plein emploi 2023 : 1 mois après l'orientation",
    ),
    ("RENOUVELLEMENT_PREAVIS", "DELAI", "P1M", "[003] renouvellement préparé un mois avant la fin"),
    ("VALIDATION_ATTENTE_MAX", "DELAI", "P15D", "validation en attente depuis plus de 15 jours"),
    ("BIENTOT_DU", "DELAI", "P7D", "une échéance à 7 jours ou moins est « bientôt due »"),
    ("ABSENCES_SUCCESSIVES", "NOMBRE", "2", "[003] deux absences successives non excusées"),
    (
        "ATELIER_PARTICIPANTS_MIN",
        "NOMBRE",
        "5",
        "[003] une action collective réunit au moins 5 à 6 personnes",
    ),
    ("ATELIER_PARTICIPANTS_MAX", "NOMBRE", "6", "[003] une action collective regroupe a minima 5 à 6 personnes"),
    ("ATELIERS_PAR_MOIS_MIN", "NOMBRE", "2", "[003] une régularité de 2 à 3 rencontres par mois"),
    ("ATELIERS_PAR_MOIS_MAX", "NOMBRE", "3", "[003] une régularité de 2 à 3 rencontres par mois"),
    ("ACTIVITE_HEBDO_HEURES", "NOMBRE", "15", "loi plein emploi 2023 : 15 heures par semaine en principe"),
    ("NOUVEL_ENTRANT_DUREE", "DELAI", "P1Y", "lecture retenue : droit RSA ouvert depuis moins d'un an"),
    ("FJT_AGE_ALERTE", "NOMBRE", "25", "FJT : 16-25 ans en priorité, personne au-delà de 30 ans"),
    ("CONTRAT_SEJOUR_REMISE", "DELAI", "P15D", "loi 2002-2 : contrat de séjour remis sous 15 jours"),
    ("CONTRAT_SEJOUR_SIGNATURE", "DELAI", "P1M", "loi 2002-2 : contrat de séjour signé sous 1 mois"),
    (
        "PROJET_PERSONNALISE_DELAI",
        "DELAI",
        "P6M",
        "loi 2002-2 : objectifs du projet personnalisé sous 6 mois",
    ),
    ("GARANTIE_PREAVIS", "DELAI", "P1M", "alerte un mois avant la fin d'une garantie du tiers"),
    ("AGE_SORTIE_PREAVIS", "DELAI", "P1M", "lecture retenue : alerte un mois avant de quitter la tranche d'âge"),
    (
        "FIN_SEJOUR_PREAVIS",
        "DELAI",
        "P1M",
        "CCH L.633-2 (logement-foyer) : résiliation par le gestionnaire avec un mois de préavis",
    ),
    ("CONSERVATION_DOSSIER", "DELAI", "P2Y", "CNIL : 2 ans après le dernier contact"),
    ("CONSERVATION_JOURNAL", "DELAI", "P12M", "CNIL : journaux conservés 6 à 12 mois"),
    ("DROIT_ACCES_DELAI", "DELAI", "P1M", "RGPD : réponse sous un mois"),
    (
        "CER_REMPLACEMENT_AVANT",
        "DATE",
        "2027-01-01",
        "loi plein emploi 2023 : CER remplacés par des contrats d'engagement au 1er janvier 2027",
    ),
    ("CONVOCATION_DELAI", "DELAI", "P15D", "[003] accompagnement rénové : convocation sous 15 jours"),
    (
        "REORIENTATION_REPONSE_DELAI",
        "DELAI",
        "P1M",
        "[003] le délégué insertion répond à une demande de réorientation (délai retenu : 1 mois)",
    ),
    (
        "CONTRAT_ENGAGEMENT_DEPUIS",
        "DATE",
        "2025-01-01",
        "loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi : contrat d'engagement depuis le 1er janvier 2025",
    ),
    # Loaded by 0010 on an existing base.
    (
        "SANCTION_OBSERVATIONS_DELAI",
        "DELAI",
        "P1M",
        "CASF R.262-68 : un mois pour présenter ses observations avant toute décision",
    ),
    (
        "SANCTION_DECISION_DELAI",
        "DELAI",
        "P1M",
        "lecture retenue : avis de l'équipe pluridisciplinaire et décision dans le mois suivant",
    ),
    ("SUSPENSION_TAUX_MIN", "NOMBRE", "30", "décret du 30 mai 2025 : suspension de 30 % à 100 %"),
    ("SUSPENSION_TAUX_MAX", "NOMBRE", "100", "décret du 30 mai 2025 : suspension de 30 % à 100 %"),
    (
        "SUSPENSION_DUREE_MAX",
        "NOMBRE",
        "4",
        "décret du 30 mai 2025 : 1 à 2 mois au premier manquement, jusqu'à 4 mois ensuite",
    ),
]


def charger(apps, schema_editor):
    Modalite = apps.get_model("referentiel", "Modalite")
    Parametre = apps.get_model("referentiel", "Parametre")
    for (
        code,
        libelle,
        champ,
        contrat,
        duree,
        renouv,
        contact,
        rencontre,
        norme,
        age_min,
        age_max,
        ordre,
    ) in MODALITES:
        Modalite.objects.update_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "champ": champ,
                "type_contrat": contrat,
                "duree_contrat": duree,
                "renouvellements_max": renouv,
                "intervalle_contact": contact,
                "intervalle_rencontre": rencontre,
                "norme_file_active": norme,
                "age_min": age_min,
                "age_max": age_max,
                "ordre": ordre,
                "accompagnee_ici": code != "RSA_EMPLOI",
                "exclut_parent_isole": code == "RSA_VEILLE",
                "exclut_nouvel_entrant": code == "RSA_VEILLE",
            },
        )
    for code, nature, valeur, source in PARAMETRES:
        Parametre.objects.update_or_create(
            code=code,
            departement=None,
            territoire=None,
            defaults={"nature": nature, "valeur": valeur, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0001_initial")]
    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
