"""Checks made on every request once the user is known (after AuthenticationMiddleware and OTPMiddleware)."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

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
}


def _nom_url(request):
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _statique(request):
    from django.conf import settings

    return request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL, "/favicon"))


class DeuxFacteursMiddleware:
    """A signed-in user who has not given a second factor in this session is sent to the code page,
    or to enrolment on their first login. Applies to every role, staff and partners alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not _statique(request):
            nom = _nom_url(request)
            if nom not in SANS_DEUXIEME_FACTEUR:
                cible = "otp_verifier" if a_un_appareil(user) else "otp_enroler"
                return redirect(f"{reverse(cible)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


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
