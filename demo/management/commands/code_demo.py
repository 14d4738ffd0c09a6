"""`manage.py code_demo`: the current second-factor code of the demo accounts (published demo key)."""

from django.core.management.base import BaseCommand

from demo import CLE_TOTP_DEMO
from demo.deuxfacteurs import code_du_moment


class Command(BaseCommand):
    help = "Affiche le code de double authentification du moment pour les comptes de démonstration."

    def handle(self, *args, **options):
        code, reste = code_du_moment()
        self.stdout.write(f"Code des comptes de démonstration : {code} (valable encore {reste} s)")
        self.stdout.write(f"Clé de démonstration, pour une application d'authentification : {CLE_TOTP_DEMO}")
