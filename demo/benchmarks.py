"""Benchmarks of the synthetic-data generator itself (run by `manage.py bench`).

A base of `TAILLE` people is built under its own prefix, timed, reused (timed), then removed; the
figure for 100,000 people and 3,000,000 entretiens is extrapolated linearly from the entretiens rate
(the full-size build is timed for real by `donnees_synthetiques` and quoted in the README)."""

import time

from demo.synthetique import generer, supprimer

TAILLE = 10_000
PAR_PERSONNE = 30
PREFIXE = "BENCHGEN"
OBJECTIF_3M = 300  # seconds: 3,000,000 entretiens in under 5 minutes


def bench_generateur():
    try:
        resume = generer(personnes=TAILLE, par_personne=PAR_PERSONNE, prefixe=PREFIXE, recreer=True, sortie=_muet)
        debut = time.monotonic()
        generer(personnes=TAILLE, par_personne=PAR_PERSONNE, prefixe=PREFIXE, sortie=_muet)
        reutilisation = time.monotonic() - debut
    finally:
        supprimer(PREFIXE)
    par_seconde = resume.entretiens / resume.secondes
    return [
        (f"génération de {TAILLE:,} personnes".replace(",", " "), round(resume.secondes, 1), "s", None),
        ("entretiens écrits par seconde", round(par_seconde), "lignes/s", None),
        ("3 000 000 d'entretiens (extrapolé)", round(3_000_000 / par_seconde, 1), "s", OBJECTIF_3M),
        ("réutilisation d'une base existante", round(reutilisation, 2), "s", 5),
    ]


def _muet(*args, **kwargs):
    pass
