"""A Django test client whose logins also pass the second factor (mandatory 2FA, accounts.middleware):
used by the benchmarks, which must measure the page itself and not the redirect to the code page,
and by the tests (tests/conftest.py)."""

from django.http import HttpRequest
from django.test import Client


def appareil_totp(user):
    """The user's confirmed TOTP device (created once), as if they had enrolled."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    appareil = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return appareil or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


class ClientVerifie(Client):
    """`force_login(user)` and `login(...)` leave the session verified by the user's TOTP device."""

    def _verifier(self, user):
        from django_otp import DEVICE_ID_SESSION_KEY

        session = self.session
        session[DEVICE_ID_SESSION_KEY] = appareil_totp(user).persistent_id
        session.save()

    def force_login(self, user, backend=None):
        super().force_login(user, backend or "django.contrib.auth.backends.ModelBackend")
        self._verifier(user)

    def login(self, **credentials):
        # django-axes needs the request to count failures by address.
        requete = HttpRequest()
        requete.META["REMOTE_ADDR"] = "127.0.0.1"
        credentials.setdefault("request", requete)
        if not super().login(**credentials):
            return False
        from accounts.models import User

        self._verifier(User.objects.get(pk=self.session["_auth_user_id"]))
        return True


def client_connecte(user):
    """A verified client for `user`, on a host every configuration allows."""
    client = ClientVerifie(SERVER_NAME="localhost")
    client.force_login(user)
    return client
