from django.urls import path

from . import views

app_name = "contrats"

urlpatterns = [
    path("", views.mes_contrats, name="mes_contrats"),
    path("a-signer/", views.file_responsable, name="file_responsable"),
    path("partenaire/a-signer/", views.partenaire_a_signer, name="partenaire_a_signer"),
    path("a-valider/", views.file_delegue, name="file_delegue"),
    path("cer-a-remplacer/", views.cer_a_remplacer, name="cer_a_remplacer"),
    path("accompagnement/<int:accompagnement_pk>/nouveau/", views.nouveau, name="nouveau"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/objectif/", views.ajouter_objectif, name="ajouter_objectif"),
    path("<int:pk>/soumettre/", views.soumettre, name="soumettre"),
    path("<int:pk>/rouvrir/", views.rouvrir, name="rouvrir"),
    path("<int:pk>/avenant/", views.avenant, name="avenant"),
    path("<int:pk>/signer/<str:partie>/", views.signer, name="signer"),
    path("<int:pk>/decision/", views.decider, name="decider"),
    path("<int:pk>/repondre/", views.repondre, name="repondre"),
    path("<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("<int:pk>/rompre/", views.rompre, name="rompre"),
    path("<int:pk>/annuler/", views.annuler, name="annuler"),
    path("<int:pk>/refus/", views.refus, name="refus"),
    path("<int:pk>/apercu.pdf", views.apercu, name="apercu"),
    path("<int:pk>/version/<int:numero>.pdf", views.pdf_version, name="pdf"),
]
