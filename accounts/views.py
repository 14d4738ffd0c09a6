from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse_lazy
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .models import Role
from .navigation import sections_pour

ACCUEIL_PAR_ROLE = {
    Role.REFERENT: "accounts/accueil_referent.html",
    Role.RESPONSABLE: "accounts/accueil_responsable.html",
    Role.DELEGUE: "accounts/accueil_delegue.html",
    Role.CONSEILLER_LOGEMENT: "accounts/accueil_conseiller.html",
    Role.PARTENAIRE: "accounts/accueil_partenaire.html",
    Role.ADMINISTRATEUR: "accounts/accueil_administrateur.html",
}


class FormulaireConnexion(AuthenticationForm):
    """Django's login form with the words of the product and one message for every failure, so the
    page never tells whether an account exists."""

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Identifiant ou mot de passe incorrect.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.fields["username"].widget.attrs.pop("autofocus", None)


class Connexion(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = FormulaireConnexion
    redirect_authenticated_user = True


class Deconnexion(auth_views.LogoutView):
    """POST only (Django's LogoutView); says so on the login page it redirects to."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté·e.")
        return response


class ChangementMotDePasse(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class MotDePasseChange(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@require_GET
def accueil(request):
    """Each role lands on its own home page; its sections are filled by the apps."""
    template = ACCUEIL_PAR_ROLE.get(request.user.role, "accounts/accueil_referent.html")
    if request.user.is_superuser:
        template = ACCUEIL_PAR_ROLE[Role.ADMINISTRATEUR]
    return render(request, template, {"sections": sections_accueil(request)})


def sections_accueil(request):
    """Cards of the home page: {label, url, description} for each screen the role may open."""
    return sections_pour(request.user)


@login_not_required
@require_GET
def sante(request):
    """Health check for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"statut": "ok"})


@login_not_required
def page_introuvable(request, exception=None):
    """Also what a user gets for a record outside their scope: never say whether it exists."""
    return render(request, "404.html", status=404)


@login_not_required
@requires_csrf_token
def erreur_serveur(request):
    """Standalone page rendered without request context: must work when the database or a context
    processor is what failed."""
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_not_required
def acces_refuse(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def echec_csrf(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a page left open past the session's lifetime. The browser kept
    the draft (static/js/app.js, `data-brouillon`), so the user can go back and send it again."""
    return render(request, "403_csrf.html", status=403)
