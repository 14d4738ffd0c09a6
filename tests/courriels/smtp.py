"""SMTP servers for the tests, outside the application (the only fakes): one that is down, one that
fails a given number of times before accepting (its e-mails go to Django's in-memory outbox)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as Locmem


class EnPanne(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class Capricieux(Locmem):
    """Refuses the first `pannes` sendings (class attribute, set by the test), then accepts."""

    pannes = 0

    def send_messages(self, messages):
        if Capricieux.pannes > 0:
            Capricieux.pannes -= 1
            raise smtplib.SMTPConnectError(421, "Service not available")
        return super().send_messages(messages)
