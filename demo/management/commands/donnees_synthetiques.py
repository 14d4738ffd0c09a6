"""`manage.py donnees_synthetiques --personnes 100000 --entretiens-par-personne 30 [--prefixe SYN] [--recreer]`"""

from django.core.management.base import BaseCommand, CommandError

from demo.synthetique import generer


class Command(BaseCommand):
    help = "Crée (ou réutilise) une base synthétique volumineuse pour les mesures de performance."

    def add_arguments(self, parser):
        parser.add_argument("--personnes", type=int, default=100_000)
        parser.add_argument("--entretiens-par-personne", type=int, default=30)
        parser.add_argument("--prefixe", default="SYN", help="Préfixe des territoires, structures et comptes.")
        parser.add_argument("--recreer", action="store_true", help="Reconstruire même si la base existe.")
        parser.add_argument("--graine", type=int, default=88)

    def handle(self, *args, personnes, entretiens_par_personne, prefixe, recreer, graine, **options):
        if personnes < 0 or entretiens_par_personne < 0:
            raise CommandError("Les nombres de personnes et d'entretiens doivent être positifs.")
        if not prefixe.isalnum():
            raise CommandError("Le préfixe ne peut contenir que des lettres et des chiffres.")
        resume = generer(
            personnes=personnes,
            par_personne=entretiens_par_personne,
            prefixe=prefixe,
            recreer=recreer,
            graine=graine,
            sortie=self.stdout.write,
        )
        self.stdout.write(
            f"Base synthétique « {resume.prefixe} » {'réutilisée' if resume.reutilisee else 'créée'} : "
            f"{resume.personnes} personnes, {resume.accompagnements} accompagnements, {resume.entretiens} entretiens, "
            f"{resume.contrats} contrats, {resume.participations} participations, en {resume.secondes:.1f} s."
        )
