"""Second factor (identification référentiel 2022): one TOTP device per account, confirmed by a first
code at enrolment, plus single-use recovery codes. django-otp does the cryptography and throttling."""

import base64
import io

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

NOMBRE_CODES_SECOURS = 10
NOM_APPAREIL = "application d'authentification"

# How a user re-authenticated before an action that needs it (a signature): kept with its evidence.
PAR_MOT_DE_PASSE = "mot de passe"
PAR_CODE_TOTP = "code de l'application d'authentification"


def a_un_appareil(user):
    return any(True for _ in devices_for_user(user, confirmed=True))


def appareil_en_attente(user):
    """The TOTP device being enrolled (unconfirmed), created once so that reloading the page keeps the
    same secret the user may already have scanned."""
    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if appareil is None:
        appareil = TOTPDevice.objects.create(user=user, name=NOM_APPAREIL, confirmed=False)
    return appareil


def secret_lisible(appareil):
    """The key in base32, what authenticator apps accept when typed by hand."""
    return base64.b32encode(appareil.bin_key).decode().rstrip("=")


def qrcode_data_uri(appareil):
    """The otpauth:// URL as an SVG data URI: the CSP allows `img-src data:`, no inline script."""
    image = qrcode.make(appareil.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    flux = io.BytesIO()
    image.save(flux)
    return "data:image/svg+xml;base64," + base64.b64encode(flux.getvalue()).decode()


def verifier(user, code):
    """The confirmed device (TOTP or recovery) that accepts this code, or None. A recovery code is
    consumed by django-otp when it matches."""
    code = "".join((code or "").split())
    if not code or len(code) > 16:
        return None
    for appareil in devices_for_user(user, confirmed=True):
        if appareil.verify_is_allowed()[0] and appareil.verify_token(code):
            return appareil
    return None


@transaction.atomic
def confirmer_enrolement(*, user, appareil, code):
    """Confirm the pending device with its first code; older devices of the user are removed (a new
    phone replaces the old one). Returns the recovery codes, shown once, or None if the code is wrong."""
    code = "".join((code or "").split())
    if not code.isdigit() or not appareil.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=appareil.pk).delete()
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    return regenerer_codes_secours(user=user)


@transaction.atomic
def regenerer_codes_secours(*, user):
    """New recovery codes; the previous ones stop working."""
    statique, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "codes de secours"})
    statique.confirmed = True
    statique.save(update_fields=["confirmed"])
    statique.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=statique, token=c) for c in codes])
    return codes


def reauthentifier(requete, user, secret):
    """Confirm that `user` is at the keyboard, by their password or the current code of their confirmed
    authenticator app (not a recovery code, kept for a lost phone). Returns PAR_MOT_DE_PASSE or
    PAR_CODE_TOTP, or None. A wrong code goes on to django-axes as a wrong password would, so both count
    toward the lock-out of the login (and a locked-out user is refused by axes even with the right code);
    django-otp also throttles the device and refuses a code already used."""
    secret = secret or ""
    code = "".join(secret.split())
    credentials = {"username": user.get_username()}
    if (
        code.isdigit()
        and len(code) <= 8
        and requete is not None
        and not AxesProxyHandler.is_locked(requete, credentials)
    ):
        for appareil in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            if appareil.verify_token(code):
                return PAR_CODE_TOTP
    authentifie = authenticate(requete, username=user.get_username(), password=secret)
    if authentifie is not None and authentifie.pk == user.pk:
        return PAR_MOT_DE_PASSE
    return None
