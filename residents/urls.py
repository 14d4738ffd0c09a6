from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouvelle/", views.creer, name="creer"),
    path("<int:pk>/", views.dossier, name="dossier"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/entretiens/", views.entretiens, name="entretiens"),
    path("<int:pk>/suivi/", views.suivi, name="suivi"),
]
