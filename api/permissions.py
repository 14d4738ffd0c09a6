"""A token in force for every endpoint, within its scope: the resource the view names (`ressource`, a
models.Ressource) among the token's, and a write only with the « lecture et écriture » scope; 403 in French
otherwise. What the token sees and may do beyond that is accounts/acces.py's answer for its principal."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import JetonAPI, Ressource


class JetonEnVigueur(BasePermission):
    message = "Ce jeton ne permet que la lecture."

    def has_permission(self, request, view):
        jeton = request.auth
        if not isinstance(jeton, JetonAPI):
            return False
        # A view that names no resource is reached by no token (deny by default).
        ressource = getattr(view, "ressource", None)
        if ressource is None or not jeton.atteint(ressource):
            libelle = Ressource(ressource).label if ressource in Ressource.values else "cette ressource"
            self.message = f"Ce jeton ne donne pas accès aux {libelle}."
            return False
        return request.method in SAFE_METHODS or jeton.ecriture
