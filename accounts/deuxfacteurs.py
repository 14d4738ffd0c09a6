"""Second factor (identification référentiel 2022): one TOTP device per account, confirmed by a first
code at enrolment, plus single-use recovery codes. django-otp does the cryptography and throttling."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

NOMBRE_CODES_SECOURS = 10
NOM_APPAREIL = "application d'authentification"


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
