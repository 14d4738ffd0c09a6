"""`manage.py bench [--personnes N] [--seulement app …]`: the benchmarks of every local app.

Makes sure the synthetic base exists (built or reused by `donnees_synthetiques`), then imports
`<app>.benchmarks` for each local app and calls every function named `bench_*()`. Each returns a list
of (label, value, unit, goal) tuples; a goal is an upper bound (« ≤ goal ») or None. The table is
printed and written to var/bench/latest.json and latest.md for the README. A function that raises is
reported as failed; the command goes on and exits non-zero at the end."""

import importlib
import json
import os
import platform
import time
import traceback
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from config import processus_web
from demo import bench_http
from demo.synthetique import generer


def apps_locales():
    """The project's own apps (under BASE_DIR, not installed packages)."""
    base = Path(settings.BASE_DIR).resolve()
    locales = []
    for config in apps.get_app_configs():
        chemin = Path(config.path).resolve()
        if chemin.is_relative_to(base) and not any(p.startswith(".venv") or p == "site-packages" for p in chemin.parts):
            locales.append(config)
    return locales


def charger_benchmarks(config):
    """The app's benchmarks module, or None when it has none."""
    nom = f"{config.name}.benchmarks"
    try:
        return importlib.import_module(nom)
    except ModuleNotFoundError as exc:
        if exc.name == nom:
            return None
        raise


def fonctions_bench(module):
    return sorted((nom, objet) for nom, objet in vars(module).items() if nom.startswith("bench_") and callable(objet))


def atteint(valeur, objectif):
    if objectif is None or not isinstance(valeur, int | float) or not isinstance(objectif, int | float):
        return None
    return valeur <= objectif


class Command(BaseCommand):
    help = "Lance les mesures de performance de chaque application sur la base synthétique."

    def add_arguments(self, parser):
        parser.add_argument("--personnes", type=int, default=100_000)
        parser.add_argument("--entretiens-par-personne", type=int, default=30)
        parser.add_argument("--prefixe", default="SYN")
        parser.add_argument("--seulement", action="append", metavar="APP", help="Seulement cette application.")
        parser.add_argument("--sortie", default=str(Path(settings.BASE_DIR) / "var" / "bench"))
        parser.add_argument(
            "--http",
            action="store_true",
            help="Mesurer les pages servies par gunicorn (DEBUG=false), par HTTP, au lieu des fonctions.",
        )
        parser.add_argument("--repetitions", type=int, default=50, help="Requêtes par page (--http).")
        parser.add_argument(
            "--notes",
            default=str(Path(settings.BASE_DIR) / "docs" / "bench.md"),
            help="Notes où écrire le tableau du banc HTTP (section « dernière exécution »).",
        )

    def handle(self, *args, personnes, entretiens_par_personne, prefixe, seulement, sortie, http, **options):
        locales = apps_locales()
        if seulement:
            inconnues = set(seulement) - {c.label for c in locales}
            if inconnues:
                raise CommandError(f"Application inconnue : {', '.join(sorted(inconnues))}.")
            locales = [c for c in locales if c.label in seulement]
        base = generer(
            personnes=personnes, par_personne=entretiens_par_personne, prefixe=prefixe, sortie=self.stdout.write
        )
        # What earlier runs wrote and rolled back (the morning run's 86,000 alerts, entretiens) stays as dead
        # rows: the embedded server lives for one command, too short for autovacuum, and the page
        # benchmarks would read through them (the badge's count 5 ms instead of 1). Production's autovacuum
        # cleans them; here, a VACUUM before measuring (2 s). Not possible inside a transaction (the test of
        # this command runs in one).
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        # The benchmarks find the base through demo.synthetique with this prefix.
        os.environ["BENCH_PREFIXE"] = prefixe
        if http:
            return self.banc_http(base, sortie, options["repetitions"], options["notes"])
        # This process then serves the pages as a web process does (config/wsgi.py).
        processus_web.preparer()
        resultats, echecs = [], []
        for config in locales:
            try:
                module = charger_benchmarks(config)
            except Exception:
                echecs.append({"app": config.label, "fonction": "benchmarks", "erreur": traceback.format_exc()})
                continue
            if module is None:
                continue
            for nom, fonction in fonctions_bench(module):
                self.stdout.write(f"… {config.label}.{nom}")
                debut = time.monotonic()
                try:
                    lignes = list(fonction())
                    for libelle, valeur, unite, objectif in lignes:
                        resultats.append(
                            {
                                "app": config.label,
                                "fonction": nom,
                                "libelle": str(libelle),
                                "valeur": valeur,
                                "unite": unite,
                                "objectif": objectif,
                                "atteint": atteint(valeur, objectif),
                            }
                        )
                except Exception:
                    echecs.append({"app": config.label, "fonction": nom, "erreur": traceback.format_exc()})
                    self.stderr.write(f"ÉCHEC {config.label}.{nom} :\n{echecs[-1]['erreur']}")
                self.stdout.write(f"  ({time.monotonic() - debut:.1f} s)")
        rapport = {
            "date": timezone.now().isoformat(timespec="seconds"),
            "machine": _machine(),
            "base": {
                "prefixe": base.prefixe,
                "personnes": base.personnes,
                "accompagnements": base.accompagnements,
                "entretiens": base.entretiens,
                "contrats": base.contrats,
                "secondes_construction": round(base.secondes, 1),
                "reutilisee": base.reutilisee,
            },
            "resultats": resultats,
            "echecs": echecs,
        }
        dossier = Path(sortie)
        dossier.mkdir(parents=True, exist_ok=True)
        (dossier / "latest.json").write_text(json.dumps(rapport, ensure_ascii=False, indent=2, default=str))
        markdown = tableau_markdown(rapport)
        (dossier / "latest.md").write_text(markdown)
        self.stdout.write(markdown)
        if echecs:
            raise CommandError(
                f"{len(echecs)} mesure(s) en échec : " + ", ".join(f"{e['app']}.{e['fonction']}" for e in echecs)
            )

    def banc_http(self, base, sortie, repetitions, notes):
        try:
            rapport = bench_http.executer(repetitions=repetitions, sortie=self.stdout.write)
        except bench_http.ErreurBench as exc:
            raise CommandError(f"Banc HTTP : {exc}") from exc
        rapport.update(date=timezone.now().isoformat(timespec="seconds"), machine=_machine(), base=base.__dict__)
        entete = (
            f"Mesures du {rapport['date']} — base synthétique de {_nombre(base.personnes)} personnes, "
            f"{_nombre(base.entretiens)} entretiens ; gunicorn {rapport['ouvriers']} workers, DEBUG=false ; "
            f"{repetitions} requêtes par page ; {rapport['machine']['processeurs']} processeurs."
        )
        markdown = bench_http.tableau_markdown(rapport, entete)
        bench_http.enregistrer(rapport, sortie)
        if notes:
            bench_http.ecrire_notes(markdown, notes)
        self.stdout.write(markdown)


def _machine():
    return {
        "processeurs": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": connection.cursor().connection.info.server_version,
    }


def _nombre(valeur):
    if isinstance(valeur, float):
        return f"{valeur:,.1f}".replace(",", " ")
    if isinstance(valeur, int):
        return f"{valeur:,}".replace(",", " ")
    return str(valeur)


def tableau_markdown(rapport):
    base = rapport["base"]
    lignes = [
        f"Mesures du {rapport['date']} — base synthétique de {_nombre(base['personnes'])} personnes, "
        f"{_nombre(base['entretiens'])} entretiens ({rapport['machine']['processeurs']} processeurs).",
        "",
        "| application | mesure | valeur | unité | objectif (≤) | atteint |",
        "|---|---|---:|---|---:|---|",
    ]
    for r in rapport["resultats"]:
        etat = {True: "oui", False: "**non**", None: "—"}[r["atteint"]]
        objectif = "—" if r["objectif"] is None else _nombre(r["objectif"])
        lignes.append(f"| {r['app']} | {r['libelle']} | {_nombre(r['valeur'])} | {r['unite']} | {objectif} | {etat} |")
    for e in rapport["echecs"]:
        derniere = e["erreur"].strip().splitlines()[-1].replace("|", "\\|") if e["erreur"].strip() else ""
        lignes.append(f"| {e['app']} | {e['fonction']} : ÉCHEC ({derniere}) | — | — | — | **non** |")
    return "\n".join(lignes) + "\n"
