from django.urls import path

from . import views

app_name = "admissions"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("<int:pk>/", views.candidature, name="candidature"),
    path("<int:pk>/etape/<slug:nom>/", views.etape, name="etape"),
    path("<int:pk>/note-sociale.pdf", views.note_pdf, name="note_pdf"),
    path("mesure/<int:pk>/", views.suivi, name="suivi"),
    path("mesure/<int:pk>/synthese/", views.synthese_planifier, name="synthese_planifier"),
    path("synthese/<int:pk>/tenue/", views.synthese_tenir, name="synthese_tenir"),
    path("synthese/<int:pk>/transmettre/", views.synthese_transmettre, name="synthese_transmettre"),
    path("mesure/<int:pk>/intervenant/", views.intervenant, name="intervenant"),
    path("mesure/<int:pk>/reunion/", views.reunion, name="reunion"),
    path("mesure/<int:pk>/logement/", views.logement, name="logement"),
    path("logement/<int:pk>/glissement/", views.glissement, name="glissement"),
    path("mesure/<int:pk>/fin/", views.fin, name="fin"),
    path("mesure/<int:pk>/objectif-sortie/", views.objectif_sortie, name="objectif_sortie"),
    path("mesure/<int:pk>/sortie/", views.sortie, name="sortie"),
    path("mesure/<int:pk>/synthese-sortie.pdf", views.sortie_pdf, name="sortie_pdf"),
]
