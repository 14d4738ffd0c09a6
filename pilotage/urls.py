from django.urls import path

from . import views

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
]
