"""`make bench`: the référent's screens on the synthetic base, through Django's test Client (the
whole request: middleware, views, queries, templates). p95 of server time over repeated requests."""

import statistics
import time
import uuid

from django.db import connection, transaction
from django.template import Context, Template
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo import synthetique
from demo.clients import client_connecte

from .forms import EntretienForm

# A hundred requests: with thirty, the p95 fell between the two slowest, so one stall of the VM (0.25–1.5 s,
# seen on requests that ran no garbage collection) made the figure; the median is given beside it.
REPETITIONS = 100
ECHAUFFEMENT = 3


def _p95(durees):
    return statistics.quantiles(durees, n=20)[18] if len(durees) >= 2 else durees[0]


def _mesurer(requete):
    for _ in range(ECHAUFFEMENT):
        requete()
    durees = []
    for _ in range(REPETITIONS):
        debut = time.perf_counter()
        reponse = requete()
        durees.append((time.perf_counter() - debut) * 1000)
        # 200 only: a redirect (to the login or second-factor page) would measure the wrong page.
        if reponse.status_code != 200:
            raise AssertionError(f"réponse {reponse.status_code} au lieu de 200")
    with CaptureQueriesContext(connection) as requetes:
        requete()
    return round(_p95(durees), 1), round(statistics.median(durees), 1), len(requetes)


def bench_file_active():
    referent = synthetique.referent_exemple()
    client = client_connecte(referent)
    url = reverse("accompagnement:file_active")
    nb = synthetique.accompagnements().actifs().filter(referent=referent).count()
    p95, mediane, requetes = _mesurer(lambda: client.get(url))
    return [
        (f"file active d'un référent ({nb} mesures), p95", p95, "ms", 60),
        ("file active d'un référent : médiane", mediane, "ms", None),
        ("file active : requêtes SQL", requetes, "requêtes", None),
    ]


def bench_structure():
    responsable = synthetique.responsable_exemple()
    client = client_connecte(responsable)
    url = reverse("accompagnement:file_active")
    nb = synthetique.accompagnements().actifs().filter(structure__in=responsable.structures.all()).count()
    p95, mediane, requetes = _mesurer(lambda: client.get(url))
    return [
        (f"file active de la structure ({nb} mesures), p95", p95, "ms", 250),
        ("file active de la structure : médiane", mediane, "ms", None),
        ("file active de la structure : requêtes SQL", requetes, "requêtes", None),
    ]


def bench_dossier():
    resident = synthetique.grand_dossier()
    mesure = resident.accompagnements.order_by("-date_debut").first()
    client = client_connecte(mesure.referent)
    url = reverse("residents:dossier", args=[resident.pk])
    nb = resident.accompagnements.values("entretiens").count()
    p95, mediane, requetes = _mesurer(lambda: client.get(url))
    return [
        (f"dossier de {nb} entretiens, p95", p95, "ms", 80),
        ("dossier : médiane", mediane, "ms", None),
        ("dossier : requêtes SQL", requetes, "requêtes", None),
    ]


CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def rendu_formulaire(fabrique, fois=REPETITIONS * 2):
    """Median and p95 (ms) of `{% crispy form %}` alone, on a new form each time (a form keeps its bound
    fields once rendered); the form is built outside the timing."""
    durees = []
    for i in range(ECHAUFFEMENT + fois):
        form = fabrique()
        debut = time.perf_counter()
        CRISPY.render(Context({"form": form}))
        if i >= ECHAUFFEMENT:
            durees.append((time.perf_counter() - debut) * 1000)
    return round(statistics.median(durees), 2), round(_p95(durees), 2)


def bench_rendu_entretien():
    """The dossier's entretien form, the largest of the référent's daily forms (its colleagues' boxes)."""
    resident = synthetique.grand_dossier()
    mesure = resident.accompagnements.actifs().first() or resident.accompagnements.first()
    premier = EntretienForm(accompagnement=mesure, user=mesure.referent)
    choix = premier.choix  # read once, as the view does after a save
    mediane, p95 = rendu_formulaire(lambda: EntretienForm(accompagnement=mesure, user=mesure.referent, choix=choix))
    return [
        (f"rendu du formulaire d'entretien par crispy ({len(premier.fields)} champs), médiane", mediane, "ms", None),
        ("rendu du formulaire d'entretien par crispy, p95", p95, "ms", None),
    ]


class _Annuler(Exception):
    pass


def bench_saisie_entretien():
    """POST of the short form (htmx) in a transaction rolled back: the base stays as generated."""
    resident = synthetique.grand_dossier()
    mesure = resident.accompagnements.actifs().first() or resident.accompagnements.first()
    client = client_connecte(mesure.referent)
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    date = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    resultat = []

    def poster():
        # Inside the bench's transaction nothing commits: the on-commit work (the alerts of the measure
        # synchronised again, echeances/signals.py) is run here, so that it is measured too.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                url,
                {
                    "type": "TELEPHONE",
                    "date_heure": date,
                    "statut": "HONORE",
                    "duree_minutes": "10",
                    "jeton": uuid.uuid4(),
                },
                headers={"HX-Request": "true"},
            )

    try:
        with transaction.atomic():
            p95, mediane, requetes = _mesurer(poster)
            resultat = [
                ("saisie d'un entretien (htmx, alertes de la mesure resynchronisées comprises), p95", p95, "ms", 80),
                ("saisie d'un entretien : médiane", mediane, "ms", None),
                ("saisie d'un entretien : requêtes SQL", requetes, "requêtes", None),
            ]
            raise _Annuler
    except _Annuler:
        pass
    return resultat
