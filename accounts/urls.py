from django.urls import path

from . import views

urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="login"),
    path("deconnexion/", views.Deconnexion.as_view(), name="logout"),
    path("mot-de-passe/", views.ChangementMotDePasse.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", views.MotDePasseChange.as_view(), name="password_change_done"),
    path("sante/", views.sante, name="sante"),
    path("connexion/code/", views.otp_verifier, name="otp_verifier"),
    path("connexion/activer-double-authentification/", views.otp_enroler, name="otp_enroler"),
    path("compte/codes-de-secours/", views.otp_codes_secours, name="otp_codes_secours"),
]
