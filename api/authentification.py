"""`Authorization: Bearer <secret>`: the only way into the API (no session, no cookie). The request's
user is the token's principal (`JetonAPI.compte`), `request.auth` the token itself."""

import datetime

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import JetonAPI

# The last use is written at most this often (not one UPDATE per request).
PRECISION_UTILISATION = datetime.timedelta(minutes=1)


class AuthentificationJeton(BaseAuthentication):
    def authenticate(self, request):
        morceaux = get_authorization_header(request).split()
        if not morceaux or morceaux[0].lower() != b"bearer":
            return None
        if len(morceaux) != 2:
            raise AuthenticationFailed("En-tête Authorization mal formé : attendu « Bearer <jeton> ».")
        try:
            secret = morceaux[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Jeton invalide ou révoqué.") from None
        jeton = JetonAPI.objects.par_secret(secret)
        # A partner token reads as its contact's account: a closed account closes the token too.
        if jeton is None or (jeton.tiers_id and not jeton.compte.is_active):
            raise AuthenticationFailed("Jeton invalide ou révoqué.")
        maintenant = timezone.now()
        if jeton.utilise_le is None or maintenant - jeton.utilise_le > PRECISION_UTILISATION:
            JetonAPI.objects.filter(pk=jeton.pk).update(utilise_le=maintenant)
        return jeton.compte, jeton

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class AuthentificationJetonSchema(OpenApiAuthenticationExtension):
    target_class = "api.authentification.AuthentificationJeton"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Jeton d'organisation créé par l'administrateur."}
