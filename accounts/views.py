import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_http_methods

from . import deuxfacteurs
from .deuxfacteurs import a_un_appareil
from .forms import CodeEnrolementForm, CodeForm
from .formulaires import FormulaireMixin
from .models import Role
from .navigation import sections_pour
from .tableau import tableau_de_bord

ACCUEIL_PAR_ROLE = {
    Role.REFERENT: "accounts/accueil_referent.html",
    Role.RESPONSABLE: "accounts/accueil_responsable.html",
    Role.DELEGUE: "accounts/accueil_delegue.html",
    Role.CONSEILLER_LOGEMENT: "accounts/accueil_conseiller.html",
    Role.PARTENAIRE: "accounts/accueil_partenaire.html",
    Role.ADMINISTRATEUR: "accounts/accueil_administrateur.html",
}


class FormulaireConnexion(FormulaireMixin, AuthenticationForm):
    """Django's login form with the words of the product and one message for every failure, so the
    page never tells whether an account exists (said once above the form, not in the error summary)."""

    sans_asterisque = True

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Identifiant ou mot de passe incorrect.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs["spellcheck"] = "false"
        self.helper.form_show_errors = False


# Django's form views treat PUT as POST; the app answers only what its forms send.
FORMULAIRE = ["get", "post", "head", "options"]


class Connexion(auth_views.LoginView):
    http_method_names = FORMULAIRE
    template_name = "registration/login.html"
    authentication_form = FormulaireConnexion
    redirect_authenticated_user = True

    @method_decorator(login_not_required)  # an override loses the mark LoginView puts on dispatch
    def dispatch(self, request, *args, **kwargs):
        # LoginView redirects a signed-in user before View.dispatch looks at the method.
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class Deconnexion(auth_views.LogoutView):
    """POST only (Django's LogoutView); says so on the login page it redirects to."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté·e.")
        return response


class FormulaireMotDePasse(FormulaireMixin, PasswordChangeForm):
    pass


class ChangementMotDePasse(auth_views.PasswordChangeView):
    http_method_names = FORMULAIRE
    form_class = FormulaireMotDePasse
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
    contexte = {"sections": sections_accueil(request), "tableau": tableau_de_bord(request.user)}
    return render(request, template, contexte)


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
    # Every PermissionDenied of the app carries a French sentence written for the user: say why.
    raison = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return render(request, "403.html", {"raison": raison}, status=403)


@login_not_required
def echec_csrf(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a page left open past the session's lifetime. The browser kept
    the draft (static/js/app.js, `data-brouillon`), so the user can go back and send it again. The header
    tells app.js this 403 is a stale page, not a right the user lacks."""
    reponse = render(request, "403_csrf.html", status=403)
    reponse["X-Refus"] = "csrf"
    return reponse


def _suivant(request):
    """The page asked before the second factor, if it is one of ours."""
    suivant = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return suivant
    return reverse("accueil")


@require_http_methods(["GET", "POST"])
def otp_verifier(request):
    """Second step of the login: a TOTP code or a recovery code."""
    if request.user.is_verified():
        return redirect(_suivant(request))
    if not a_un_appareil(request.user):
        return redirect("otp_enroler")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil = deuxfacteurs.verifier(request.user, form.cleaned_data["code"])
        if appareil is not None:
            django_otp.login(request, appareil)
            request.session.cycle_key()  # a new session id once fully authenticated
            return redirect(_suivant(request))
        form.add_error("code", "Code incorrect ou expiré. Après plusieurs erreurs, patientez avant de réessayer.")
    return render(request, "registration/otp_verifier.html", {"form": form, "next": _suivant(request)})


@require_http_methods(["GET", "POST"])
def otp_enroler(request):
    """First login: scan the QR code (or type the secret), confirm with a first code, keep the recovery
    codes. An account that already has a device must first prove it (verified session) to replace it."""
    if deuxfacteurs.a_un_appareil(request.user) and not request.user.is_verified():
        return redirect("otp_verifier")
    appareil = deuxfacteurs.appareil_en_attente(request.user)
    form = CodeEnrolementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = deuxfacteurs.confirmer_enrolement(user=request.user, appareil=appareil, code=form.cleaned_data["code"])
        if codes is not None:
            django_otp.login(request, appareil)
            request.session.cycle_key()
            messages.success(request, "La double authentification est activée.")
            return render(request, "registration/otp_codes_secours.html", {"codes": codes, "next": _suivant(request)})
        form.add_error("code", "Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché.")
    contexte = {
        "form": form,
        "qrcode": deuxfacteurs.qrcode_data_uri(appareil),
        "secret": deuxfacteurs.secret_lisible(appareil),
        "next": _suivant(request),
    }
    return render(request, "registration/otp_enroler.html", contexte)


@require_http_methods(["GET", "POST"])
def otp_codes_secours(request):
    """New recovery codes (the previous ones stop working), shown once."""
    if request.method == "POST":
        codes = deuxfacteurs.regenerer_codes_secours(user=request.user)
        return render(request, "registration/otp_codes_secours.html", {"codes": codes, "next": reverse("accueil")})
    return render(request, "registration/otp_codes_secours.html", {"codes": None})


@login_not_required
def compte_bloque(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: too many failed logins for this username from this address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/compte_bloque.html", {"minutes": minutes}, status=429)
