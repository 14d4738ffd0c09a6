from django.urls import path

from . import views, views_referentiel

app_name = "pilotage"

urlpatterns = [
    path("comites/", views.comites, name="comites"),
    path("comites/<int:pk>/", views.comite, name="comite"),
    path("comites/<int:pk>/cartes/", views.cartes, name="cartes"),
    path("comites/<int:pk>/graphiques/", views.graphiques_comite, name="graphiques"),
    path("comites/<int:pk>/decision/<int:accompagnement>/", views.decision, name="decision"),
    path("comites/<int:pk>/compte-rendu/", views.compte_rendu, name="compte_rendu"),
    path("comites/<int:pk>/non-examines/", views.non_examines, name="non_examines"),
    path("comites/<int:pk>/avenant/", views.avenant, name="avenant"),
    path("comites/<int:pk>/compte-rendu.pdf", views.compte_rendu_pdf, name="compte_rendu_pdf"),
    path("decisions/<int:pk>/faite/", views.action_faite, name="action_faite"),
    path("bilan/", views.bilan, name="bilan"),
    path("exports/", views.exports, name="exports"),
    path("exports/demander/", views.demander_export, name="demander_export"),
    path("exports/<int:pk>/etat/", views.etat_export, name="etat_export"),
    path("exports/<int:pk>/telecharger/", views.telecharger_export, name="telecharger_export"),
    path("referentiel/", views_referentiel.referentiel, name="referentiel"),
    path("referentiel/modalites/<int:modalite>/version/", views_referentiel.version_modalite, name="version_modalite"),
    path(
        "referentiel/modalites/<int:modalite>/versions/<int:pk>/",
        views_referentiel.version_modalite,
        name="modifier_version_modalite",
    ),
    path("referentiel/parametres/<str:code>/version/", views_referentiel.version_parametre, name="version_parametre"),
    path(
        "referentiel/parametres/<str:code>/versions/<int:pk>/",
        views_referentiel.version_parametre,
        name="modifier_version_parametre",
    ),
    path(
        "referentiel/versions/<str:genre>/<int:pk>/retirer/",
        views_referentiel.retirer_version,
        name="retirer_version",
    ),
]
