"""The demo accounts' second factor: a device on the published key (demo.CLE_TOTP_DEMO), so that the demo
can be tried without a phone, and the code it shows now (`manage.py code_demo`)."""

import base64
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo import CLE_TOTP_DEMO, COMPTES, NOM_APPAREIL_DEMO

PAS = 30  # seconds, django-otp's TOTPDevice default (step), as authenticator apps use


def cle_binaire():
    return base64.b32decode(CLE_TOTP_DEMO)


def code_du_moment(maintenant=None):
    """The 6 digits an authenticator app holding the demo key shows now, and the seconds it stays valid."""
    maintenant = time.time() if maintenant is None else maintenant
    calcul = TOTP(cle_binaire(), step=PAS, t0=0, digits=6, drift=0)
    calcul.time = maintenant
    return f"{calcul.token():06d}", PAS - int(maintenant) % PAS


def enroler_comptes_demo():
    """Every demo account without a confirmed device gets one on the demo key; an account someone enrolled
    with their own phone keeps it. Returns the number of accounts enrolled."""
    from accounts.models import User

    enroles = 0
    for user in User.objects.filter(username__in=[compte[0] for compte in COMPTES]).order_by("pk"):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=NOM_APPAREIL_DEMO, key=cle_binaire().hex(), confirmed=True)
            enroles += 1
    return enroles
