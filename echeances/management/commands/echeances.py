"""Print the engine's output (read-only): `manage.py echeances [--as-of AAAA-MM-JJ] [--format table|json]`.
A past `--as-of` reads the base as it was recorded at the end of that day (echeances/historique.py)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accompagnement.models import Accompagnement
from echeances.base import Contexte
from echeances.moteur import calculer


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date invalide : {value!r} (attendu AAAA-MM-JJ).") from None


def en_dict(e):
    return {
        "regle": str(e.regle),
        "cle": e.cle,
        "accompagnement_id": e.accompagnement_id,
        "resident_id": e.resident_id,
        "referent_id": e.referent_id,
        "structure_id": e.structure_id,
        "destinataires": list(e.destinataires),
        "due_le": e.due_le.isoformat(),
        "etat": str(e.etat),
        "message": e.message,
    }


class Command(BaseCommand):
    help = "Affiche les échéances calculées par le moteur (lecture seule)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_date, help="jour de calcul (AAAA-MM-JJ), aujourd'hui par défaut")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--structure", type=int, help="id de la structure")
        parser.add_argument("--referent", type=int, help="id du référent")

    def handle(self, *args, **options):
        le = options["as_of"] or timezone.localdate()
        qs = Accompagnement.objects.all()
        if options["structure"]:
            qs = qs.filter(structure_id=options["structure"])
        if options["referent"]:
            qs = qs.filter(referent_id=options["referent"])
        # A past day is read as the base was then (contracts, measures, orientations…: echeances/historique.py).
        with transaction.atomic():  # (the snapshot's temporary tables go with it)
            echeances = calculer(qs, le=le, contexte=Contexte(le, historique=le < timezone.localdate()))
        if options["format"] == "json":
            self.stdout.write(json.dumps([en_dict(e) for e in echeances], ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{'échéance':<10} {'état':<11} {'règle':<22} {'mesure':>8} {'personne':>8}  message")
        for e in echeances:
            self.stdout.write(
                f"{e.due_le:%d/%m/%Y} {e.etat_label:<11} {e.regle:<22} {e.accompagnement_id or '':>8} "
                f"{e.resident_id or '':>8}  {e.message}"
            )
        self.stdout.write(f"{len(echeances)} échéance(s) au {le:%d/%m/%Y}.")
