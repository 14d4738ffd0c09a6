"""`manage.py demo`: the demo data, built once (a second run only checks the marker and returns)."""

from django.core.management.base import BaseCommand

from demo import COMPTES
from demo.donnees import creer_demo


class Command(BaseCommand):
    help = "Crée les données de démonstration (Vosges) si elles n'existent pas encore."

    def add_arguments(self, parser):
        # The launcher (config/launcher.py) prints demo.COMPTES itself; --comptes is for a manual run.
        parser.add_argument("--comptes", action="store_true", help="Afficher aussi les comptes de démonstration.")

    def handle(self, *args, comptes, **options):
        if creer_demo(sortie=self.stdout.write):
            self.stdout.write(self.style.SUCCESS("Données de démonstration créées."))
        else:
            self.stdout.write("Données de démonstration déjà présentes : rien à faire.")
        if comptes:
            self.stdout.write("Comptes de démonstration (identifiant / mot de passe — rôle) :")
            for username, password, role in COMPTES:
                self.stdout.write(f"  {username:<22} {password}  — {role}")
