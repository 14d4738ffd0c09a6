"""The demo's API token (demo.JETON_API_DEMO): a read-only token of the territory of Saint-Dié-des-Vosges
with the délégué insertion's view, created once by `manage.py demo` (also on a demo base built before it)."""

from accounts.models import Role, User
from api.models import JetonAPI, empreinte
from api.services import creer_jeton
from demo import JETON_API_DEMO
from referentiel.models import Territoire

TERRITOIRE = "Saint-Dié-des-Vosges"


def creer_jeton_demo():
    """True when the token was created now; False when it exists or the demo has no such territory."""
    if JetonAPI.objects.filter(empreinte=empreinte(JETON_API_DEMO)).exists():
        return False
    territoire = Territoire.objects.filter(nom=TERRITOIRE).order_by("pk").first()
    administrateur = User.objects.filter(username="admin.demo").first()
    if territoire is None or administrateur is None:
        return False
    jeton, _ = creer_jeton(
        par=administrateur,
        nom="Démonstration (jeton publié)",
        portee=JetonAPI.Portee.LECTURE,
        territoire=territoire,
        role_territoire=Role.DELEGUE,
    )
    # The published secret instead of the random one: a demo token must be known in advance.
    JetonAPI.objects.filter(pk=jeton.pk).update(empreinte=empreinte(JETON_API_DEMO))
    return True
