from django.urls import path

from . import views, views_droits, views_import, views_menage

app_name = "residents"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouvelle/", views.creer, name="creer"),
    path("<int:pk>/", views.dossier, name="dossier"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/entretiens/", views.entretiens, name="entretiens"),
    path("<int:pk>/suivi/", views.suivi, name="suivi"),
    path("<int:pk>/menage/", views_menage.menage, name="menage"),
    path("<int:pk>/menage/delier/", views_menage.menage_delier, name="menage_delier"),
    # The person's rights (views_droits): consents, right of access, who accessed, retention, partners.
    path("<int:pk>/droits/", views_droits.droits, name="droits"),
    path("<int:pk>/consentements/nouveau/", views_droits.consentement_nouveau, name="consentement_nouveau"),
    path("consentements/<int:pk>/retirer/", views_droits.consentement_retirer, name="consentement_retirer"),
    path("<int:pk>/droit-acces/", views_droits.demande_acces, name="demande_acces"),
    path("droit-acces/<int:pk>/remise/", views_droits.demande_remise, name="demande_remise"),
    path("<int:pk>/droit-acces/dossier.zip", views_droits.droit_acces_zip, name="droit_acces_zip"),
    path("<int:pk>/acces/", views_droits.journal_dossier, name="journal"),
    path("conservation/", views_droits.retention_rapport, name="retention"),
    path("<int:pk>/archiver/", views_droits.archiver, name="archiver"),
    # The import of the Département's file of new RSA beneficiaries (views_import).
    path("imports/", views_import.imports_allocataires, name="imports"),
    path("imports/<int:pk>/", views_import.import_allocataires, name="import"),
    path("imports/<int:pk>/colonnes/", views_import.import_colonnes, name="import_colonnes"),
    path("imports/<int:pk>/confirmer/", views_import.import_confirmer, name="import_confirmer"),
    path("imports/<int:pk>/abandonner/", views_import.import_abandonner, name="import_abandonner"),
    path("imports/<int:pk>/etat/", views_import.import_etat, name="import_etat"),
    path("partage/", views_droits.partenaire_personnes, name="partenaire_personnes"),
    path("partage/<int:pk>/", views_droits.partenaire_dossier, name="partenaire_dossier"),
]
