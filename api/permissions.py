"""A token in force for every endpoint; a write needs the « lecture et écriture » scope. What the token
sees and may do beyond that is accounts/acces.py's answer for its principal."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import JetonAPI


class JetonEnVigueur(BasePermission):
    message = "Ce jeton ne permet que la lecture."

    def has_permission(self, request, view):
        jeton = request.auth
        if not isinstance(jeton, JetonAPI):
            return False
        return request.method in SAFE_METHODS or jeton.ecriture
