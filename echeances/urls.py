from django.urls import path

from . import views, views_sanctions

app_name = "echeances"

urlpatterns = [
    path("", views.a_faire, name="a_faire"),
    path("structure/", views.a_faire, name="structure"),
    path("delegue/", views.delegue, name="delegue"),
    path("alertes/<int:pk>/acquitter/", views.acquitter, name="acquitter"),
    path("mesures/<int:accompagnement>/signalement/", views.signalement_nouveau, name="signalement_nouveau"),
    path("signalements/", views.signalements, name="signalements"),
    path("signalements/<int:pk>/decision/", views.signalement_decider, name="signalement_decider"),
    path("signalements/<int:pk>/", views_sanctions.signalement, name="signalement"),
    path("signalements/<int:pk>/etapes/<str:action>/", views_sanctions.signalement_etape, name="signalement_etape"),
    path("signalements/<int:pk>/pieces/", views_sanctions.signalement_piece_ajouter, name="signalement_piece_ajouter"),
    path("signalements/<int:pk>/pieces/<int:piece>/", views_sanctions.signalement_piece, name="signalement_piece"),
    path("signalements/<int:pk>/courrier.pdf", views_sanctions.signalement_courrier, name="signalement_courrier"),
]
