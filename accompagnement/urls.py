from django.urls import path

from . import views, views_ateliers, views_diagnostic, views_mesures, views_orientations

app_name = "accompagnement"

urlpatterns = [
    path("file-active/", views.file_active, name="file_active"),
    path("<int:pk>/entretien/", views.entretien_nouveau, name="entretien_nouveau"),
    path("entretien/<int:pk>/modifier/", views.entretien_modifier, name="entretien_modifier"),
    path("<int:pk>/rendez-vous/", views.rendez_vous_nouveau, name="rendez_vous_nouveau"),
    path("rendez-vous/", views.rendez_vous, name="rendez_vous"),
    path("agenda/", views.agenda, name="agenda"),
    path("rendez-vous/<int:pk>/cloturer/", views.rendez_vous_cloturer, name="rendez_vous_cloturer"),
    path("calendrier/regenerer/", views.calendrier_regenerer, name="calendrier_regenerer"),
    path("calendrier/<uuid:jeton>.ics", views.calendrier, name="calendrier"),
    path("personne/<int:pk>/ouvrir/", views_mesures.accompagnement_ouvrir, name="ouvrir"),
    path("<int:pk>/reorienter/", views_mesures.reorienter, name="reorienter"),
    path("<int:pk>/terminer/", views_mesures.terminer, name="terminer"),
    path("<int:pk>/objectif/", views_mesures.objectif_nouveau, name="objectif_nouveau"),
    path("objectif/<int:pk>/", views_mesures.objectif_modifier, name="objectif_modifier"),
    path("objectif/<int:pk>/evaluer/", views_mesures.objectif_evaluer, name="objectif_evaluer"),
    path("<int:pk>/co-referent/", views_mesures.coreferent_ajouter, name="coreferent_ajouter"),
    path("co-referent/<int:pk>/retirer/", views_mesures.coreferent_retirer, name="coreferent_retirer"),
    path("a-orienter/", views_orientations.a_orienter, name="a_orienter"),
    path("personne/<int:pk>/orienter/", views_orientations.orienter, name="orienter"),
    path("orientation/<int:pk>/", views_orientations.orientation, name="orientation"),
    path("orientation/<int:pk>/lettre.pdf", views_orientations.lettre, name="orientation_lettre"),
    path("orientation/<int:pk>/affecter/", views_orientations.affecter, name="affecter"),
    path("a-affecter/", views_orientations.a_affecter, name="a_affecter"),
    path("<int:pk>/demander-reorientation/", views_orientations.demander, name="demander_reorientation"),
    path("reorientations/", views_orientations.demandes, name="demandes_reorientation"),
    path("reorientations/<int:pk>/", views_orientations.demande, name="demande_reorientation"),
    path("reorientations/<int:pk>/decider/", views_orientations.decider, name="decider_reorientation"),
    path("<int:pk>/diagnostic/", views_diagnostic.diagnostic_nouveau, name="diagnostic_nouveau"),
    path("diagnostic/<int:pk>/", views_diagnostic.diagnostic, name="diagnostic"),
    path("diagnostic/<int:pk>/modifier/", views_diagnostic.diagnostic_modifier, name="diagnostic_modifier"),
    path("diagnostic/<int:pk>/diagnostic.pdf", views_diagnostic.diagnostic_imprimer, name="diagnostic_pdf"),
    path("ateliers/", views_ateliers.ateliers, name="ateliers"),
    path("ateliers/nouveau/", views_ateliers.atelier_nouveau, name="atelier_nouveau"),
    path("ateliers/<int:pk>/", views_ateliers.atelier, name="atelier"),
    path("ateliers/<int:pk>/modifier/", views_ateliers.atelier_modifier, name="atelier_modifier"),
    path("ateliers/<int:pk>/annuler/", views_ateliers.atelier_annuler, name="atelier_annuler"),
]
