from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

admin.site.site_header = "Accompagnement social – administration"
admin.site.site_title = "Administration"

urlpatterns = [
    path("", accounts_views.accueil, name="accueil"),
    path("", include("accounts.urls")),
    path("personnes/", include("residents.urls")),
    path("accompagnement/", include("accompagnement.urls")),
    path("contrats/", include("contrats.urls")),
    path("echeances/", include("echeances.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("admissions/", include("admissions.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "accounts.views.page_introuvable"
handler500 = "accounts.views.erreur_serveur"
handler403 = "accounts.views.acces_refuse"
