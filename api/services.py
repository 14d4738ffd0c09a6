"""Creating and revoking the API's tokens (docs/acces.md, « API »)."""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import acces
from accounts.models import ROLES_TERRITOIRE, Role, User

from .models import JetonAPI, empreinte, toutes_les_ressources

# The role a service account takes for each kind of organisation: a structure's token reads what its
# manager reads (the whole structure); a territory's what its agent of the chosen field reads
# (accounts.models.ROLES_TERRITOIRE).
ROLE_STRUCTURE = Role.RESPONSABLE


def _compte_de_service(*, nom, role, structure=None, territoire=None):
    """An account that never logs in (no password, inactive: no alert, no list of active staff) and
    that accounts/acces.py answers for as for any user of its role and organisation."""
    compte = User(
        username=f"api-{uuid.uuid4().hex[:20]}",
        first_name="API",
        last_name=nom[:150],
        role=role,
        is_active=False,
    )
    compte.set_unusable_password()
    compte.save()
    if structure is not None:
        compte.structures.set([structure])
    if territoire is not None:
        compte.territoires.set([territoire])
    return compte


def verifier_organisation(*, territoire=None, structure=None, tiers=None, role_territoire=None, compte_partenaire=None):
    """The token's organisation and the view it takes; raises ValidationError with French messages."""
    if sum(o is not None for o in (territoire, structure, tiers)) != 1:
        raise ValidationError(
            "Choisissez une seule organisation : un territoire, une structure ou un tiers partenaire."
        )
    if territoire is not None and role_territoire not in ROLES_TERRITOIRE:
        raise ValidationError({"role_territoire": "Choisissez les agents du territoire dont le jeton a la vue."})
    if tiers is not None:
        if compte_partenaire is None or not acces.signe_comme_partenaire(compte_partenaire):
            raise ValidationError({"compte_partenaire": "Choisissez le compte d'un contact de ce tiers partenaire."})
        if compte_partenaire.contact_partenaire.tiers_id != tiers.pk:
            raise ValidationError({"compte_partenaire": "Ce compte n'est pas celui d'un contact de ce tiers."})


@transaction.atomic
def creer_jeton(
    *,
    par,
    nom,
    portee,
    territoire=None,
    structure=None,
    tiers=None,
    role_territoire=None,
    compte_partenaire=None,
    ressources=None,
):
    """(jeton, secret): the secret is returned here only; the database keeps its SHA-256. `ressources`:
    what it reaches (models.Ressource), every one when not given."""
    verifier_organisation(
        territoire=territoire,
        structure=structure,
        tiers=tiers,
        role_territoire=role_territoire,
        compte_partenaire=compte_partenaire,
    )
    if structure is not None:
        compte = _compte_de_service(nom=f"{nom} – {structure}", role=ROLE_STRUCTURE, structure=structure)
    elif territoire is not None:
        compte = _compte_de_service(nom=f"{nom} – {territoire}", role=role_territoire, territoire=territoire)
    else:
        compte = compte_partenaire
    secret = secrets.token_urlsafe(32)
    jeton = JetonAPI(
        nom=nom,
        portee=portee,
        ressources=sorted(ressources) if ressources is not None else toutes_les_ressources(),
        territoire=territoire,
        structure=structure,
        tiers=tiers,
        compte=compte,
        empreinte=empreinte(secret),
        cree_par=par,
    )
    jeton.full_clean()
    jeton.save()
    return jeton, secret


def revoquer_jeton(*, jeton):
    """Revoked at once (the next request gets a 401); the row and its history stay."""
    JetonAPI.objects.filter(pk=jeton.pk, revoque_le__isnull=True).update(revoque_le=timezone.now())
    jeton.refresh_from_db(fields=["revoque_le"])
    return jeton
