"""One JSON shape for every error of the API, in French:
`{"code": "…", "message": "…", "champs": {"nom": ["…"]}}` (`champs` only for invalid input;
a probable duplicate adds `candidats`). A service's ValidationError (django.core) is a 400 here too:
the service said why, nothing was written."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

MESSAGES = {
    status.HTTP_400_BAD_REQUEST: ("donnees_invalides", "Les données envoyées ne sont pas valides."),
    status.HTTP_401_UNAUTHORIZED: ("non_authentifie", "Jeton absent, invalide ou révoqué."),
    status.HTTP_403_FORBIDDEN: ("interdit", "Ce jeton ne permet pas cette action."),
    status.HTTP_404_NOT_FOUND: ("introuvable", "Introuvable."),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("methode_non_permise", "Méthode non permise."),
    status.HTTP_406_NOT_ACCEPTABLE: ("format_non_accepte", "Format de réponse non disponible."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ("format_non_pris_en_charge", "Envoyez du JSON (application/json)."),
    status.HTTP_429_TOO_MANY_REQUESTS: ("trop_de_requetes", "Trop de requêtes pour ce jeton."),
}


def _messages_django(erreur):
    if hasattr(erreur, "error_dict"):
        return {
            ("non_field_errors" if champ == "__all__" else champ): [str(m) for e in liste for m in e.messages]
            for champ, liste in erreur.error_dict.items()
        }
    return {"non_field_errors": list(erreur.messages)}


def _texte(detail):
    if isinstance(detail, list):
        return " ".join(_texte(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(_texte(d) for d in detail.values())
    return str(detail)


def _champs(detail):
    if isinstance(detail, dict):
        return {champ: [_texte(d) for d in (v if isinstance(v, list) else [v])] for champ, v in detail.items()}
    return {"non_field_errors": [_texte(d) for d in (detail if isinstance(detail, list) else [detail])]}


def gestionnaire(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages_django(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    reponse = exception_handler(exc, context)
    if reponse is None:
        # A bug: logged with its traceback as Django does, answered in the same JSON shape, nothing written.
        requete = context.get("request")
        logging.getLogger("django.request").error(
            "Erreur interne de l'API : %s", getattr(requete, "path", ""), exc_info=(type(exc), exc, exc.__traceback__)
        )
        set_rollback()
        return erreur(500, "erreur_interne", "Erreur interne : l'équipe technique en est informée.")
    code, message = MESSAGES.get(reponse.status_code, ("erreur", "Erreur."))
    corps = {"code": code, "message": message}
    if isinstance(exc, exceptions.ValidationError):
        corps["champs"] = _champs(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        corps["message"] = f"Trop de requêtes pour ce jeton : réessayez dans {exc.wait:.0f} s." if exc.wait else message
    elif (
        isinstance(exc, exceptions.ParseError)
        or reponse.status_code in (401, 403)
        and isinstance(exc.detail, str)
        and exc.detail
    ):
        corps["message"] = str(exc.detail)
    reponse.data = corps
    return reponse


def erreur(statut, code, message, **plus):
    return Response({"code": code, "message": message, **plus}, status=statut)
