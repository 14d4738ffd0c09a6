from django.urls import path

from . import views

app_name = "echeances"

urlpatterns = [
    path("", views.a_faire, name="a_faire"),
    path("structure/", views.a_faire, name="structure"),
    path("delegue/", views.delegue, name="delegue"),
    path("alertes/<int:pk>/acquitter/", views.acquitter, name="acquitter"),
    path("mesures/<int:accompagnement>/signalement/", views.signalement_nouveau, name="signalement_nouveau"),
    path("signalements/", views.signalements, name="signalements"),
    path("signalements/<int:pk>/decision/", views.signalement_decider, name="signalement_decider"),
]
