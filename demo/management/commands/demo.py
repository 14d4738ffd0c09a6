"""`manage.py demo`: the demo data, built once (a second run only checks the marker and returns)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import CLE_TOTP_DEMO, COMPTES, JETON_API_DEMO
from demo.api import creer_jeton_demo
from demo.deuxfacteurs import enroler_comptes_demo
from demo.donnees import creer_demo
from echeances.statistiques import analyser_jamais_analysees


class Command(BaseCommand):
    help = "Crée les données de démonstration (Vosges) si elles n'existent pas encore."

    def add_arguments(self, parser):
        # The launcher (config/launcher.py) prints demo.COMPTES itself; --comptes is for a manual run.
        parser.add_argument("--comptes", action="store_true", help="Afficher aussi les comptes de démonstration.")

    def handle(self, *args, comptes, **options):
        # The demo's password and second-factor key are published: they must never reach a real base.
        if not settings.DEBUG:
            raise CommandError(
                "Refusé : les données de démonstration ne se chargent qu'en local (DEBUG=true). Leurs comptes ont "
                "un mot de passe et une clé de double authentification publiés : jamais sur une base de production."
            )
        if creer_demo(sortie=self.stdout.write):
            # Loaded in bulk, far below autovacuum's threshold: analysed now (echeances.statistiques).
            analyser_jamais_analysees()
            self.stdout.write(self.style.SUCCESS("Données de démonstration créées."))
        else:
            self.stdout.write("Données de démonstration déjà présentes : rien à faire.")
        # Also on a demo base built before the demo key existed.
        if enroles := enroler_comptes_demo():
            self.stdout.write(f"{enroles} compte(s) de démonstration enrôlé(s) avec la clé de démonstration.")
        if creer_jeton_demo():
            self.stdout.write("Jeton d'API de démonstration créé (territoire de Saint-Dié-des-Vosges, lecture).")
        if comptes:
            self.stdout.write("Comptes de démonstration (identifiant / mot de passe — rôle) :")
            for username, password, role in COMPTES:
                self.stdout.write(f"  {username:<22} {password}  — {role}")
            self.stdout.write(f"Double authentification : clé {CLE_TOTP_DEMO}, code du moment : manage.py code_demo")
            self.stdout.write(f"Jeton d'API de démonstration : {JETON_API_DEMO}")
