"""Checks made on every request once the user is known (after AuthenticationMiddleware and OTPMiddleware)."""

import logging
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .deuxfacteurs import a_un_appareil

# Pages reachable with a password only: the login itself, the second-factor pages, logout, health.
SANS_DEUXIEME_FACTEUR = {"login", "logout", "otp_verifier", "otp_enroler", "sante"}

# A partner account reaches its own pages only: every other screen shows data without consent filtering.
PAGES_PARTENAIRE = SANS_DEUXIEME_FACTEUR | {
    "accueil",
    "password_change",
    "password_change_done",
    "otp_codes_secours",
    "residents:partenaire_personnes",
    "residents:partenaire_dossier",
    # Its tripartite documents to sign: the list, the signature page and the frozen PDF (Contrat's
    # visibles_par gives a partner nothing else).
    "contrats:partenaire_a_signer",
    "contrats:signer",
    "contrats:pdf",
}


class SessionGlissanteMiddleware:
    """The session expires after SESSION_COOKIE_AGE of inactivity: each page moves its end, but its row is
    rewritten at most every SESSION_PROLONGATION seconds (saving it on every request, Django's
    SESSION_SAVE_EVERY_REQUEST, was three round trips per page). Must come after SessionMiddleware."""

    CLE = "_prolongee_le"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            maintenant = int(time.time())
            if maintenant - session.get(self.CLE, 0) >= settings.SESSION_PROLONGATION:
                session[self.CLE] = maintenant  # modified: SessionMiddleware saves it, with a new expiry
        return response


class PasDeCacheMiddleware:
    """Every response to a signed-in user holds personal data (a dossier, a contract's PDF, an export): no
    browser or proxy may keep it (`Cache-Control: no-store`), so the back button after logout or the next
    user of a shared computer finds nothing. A view that set its own Cache-Control keeps it. Static files
    are answered by WhiteNoise before this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


def session_prolongee_a_la_connexion(sender, request, user, **kwargs):
    """A login writes the session anyway: it counts as its latest prolongation (the next page within the
    minute writes nothing)."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionGlissanteMiddleware.CLE] = int(time.time())


def _nom_url(request):
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _statique(request):
    from django.conf import settings

    return request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL, "/favicon"))


def _est_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _page_courante(request):
    """Where to come back after logging in: for an htmx request, the page the fragment belongs to
    (HX-Current-URL, if it is one of ours), not the fragment's own URL."""
    if _est_htmx(request):
        url = request.headers.get("HX-Current-URL", "")
        if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            morceaux = urlsplit(url)
            return urlunsplit(("", "", morceaux.path or "/", morceaux.query, ""))
    return request.get_full_path()


def _rediriger(request, url):
    """A redirect to a login page. htmx would follow a 302 and swap the login page into the form: it
    gets HX-Redirect instead, and the browser loads the page (the draft stays in the browser)."""
    if _est_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _vers_connexion(reponse):
    return reponse.status_code == 302 and urlsplit(reponse["Location"]).path == resolve_url(settings.LOGIN_URL)


class DeuxFacteursMiddleware:
    """A signed-in user who has not given a second factor in this session is sent to the code page,
    or to enrolment on their first login. Applies to every role, staff and partners alike.

    For htmx requests it also answers the login redirect of LoginRequiredMiddleware (expired session)
    with HX-Redirect: that middleware acts in process_view, inside this one's get_response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not _statique(request):
            nom = _nom_url(request)
            if nom not in SANS_DEUXIEME_FACTEUR:
                cible = "otp_verifier" if a_un_appareil(user) else "otp_enroler"
                return _rediriger(request, f"{reverse(cible)}?{urlencode({'next': _page_courante(request)})}")
        reponse = self.get_response(request)
        if _est_htmx(request) and _vers_connexion(reponse):
            connexion = resolve_url(settings.LOGIN_URL)
            return _rediriger(request, f"{connexion}?{urlencode({REDIRECT_FIELD_NAME: _page_courante(request)})}")
        return reponse


class PartenaireMiddleware:
    """Deny by default for partners: an unlisted page answers 404 (never say what exists)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_partenaire
            and not _statique(request)
            and _nom_url(request) not in PAGES_PARTENAIRE
        ):
            raise Http404
        return self.get_response(request)


# What the administrator keeps of a person's file as data-protection officer (acces.lit_les_dossiers):
# the rights page, the right of access and its ZIP, who accessed the file, the retention report and archiving.
PAGES_DPO = {
    "residents:droits",
    "residents:demande_acces",
    "residents:demande_remise",
    "residents:droit_acces_zip",
    "residents:journal",
    "residents:archiver",
    "residents:retention",
}

# Lists that name the people accompanied (a page of one file is in journal.middleware.PAGES_DOSSIER).
LISTES_NOMINATIVES = {
    "residents:liste",
    "residents:creer",
    "accompagnement:file_active",
    "accompagnement:rendez_vous",
    "contrats:cer_a_remplacer",
    "accompagnement:a_orienter",
    "accompagnement:a_affecter",
    "accompagnement:demandes_reorientation",
}

REFUS_ADMINISTRATEUR = (
    "L'administration de l'application ne donne pas accès aux dossiers des personnes accompagnées. "
    "Comme délégué·e à la protection des données, passez par la page des droits de la personne "
    "(demandes d'accès, journal des consultations)."
)


class AdministrateurMiddleware:
    """A French 403 for the administrator on every page that shows a person's file, but the DPO's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts import acces
        from journal.middleware import PAGES_DOSSIER

        user = request.user
        if user.is_authenticated and not acces.lit_les_dossiers(user) and not _statique(request):
            nom = _nom_url(request)
            if nom not in PAGES_DPO and (nom in PAGES_DOSSIER or nom in LISTES_NOMINATIVES):
                raise PermissionDenied(REFUS_ADMINISTRATEUR)
        return self.get_response(request)


class PagesErreurMiddleware:
    """In DEBUG (`make run`), Django answers an unknown address or a crash with its English debug pages; a
    local run shows the application's own French pages instead, as in production (the traceback is still
    logged to the console). PAGES_ERREUR_DJANGO=true gives Django's debug pages back. Last in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _actif():
        return settings.DEBUG and not settings.PAGES_ERREUR_DJANGO

    def __call__(self, request):
        if self._actif():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                from .views import page_introuvable

                return page_introuvable(request)  # CommonMiddleware still adds a missing slash on the way out
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not self._actif():
            return None
        from django.core.exceptions import PermissionDenied

        from .views import acces_refuse, erreur_serveur, page_introuvable

        if isinstance(exception, Http404):
            return page_introuvable(request, exception)
        if isinstance(exception, PermissionDenied):
            return acces_refuse(request, exception)
        logging.getLogger("django.request").error(
            "Erreur interne : %s", request.path, exc_info=(type(exception), exception, exception.__traceback__)
        )
        return erreur_serveur(request)
