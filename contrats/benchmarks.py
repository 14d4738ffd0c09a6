"""`make bench` for contracts: PDF rendering of a two-page contract, and the délégué's queue with
500 pending contracts. Built in a transaction rolled back at the end: the base stays as it was."""

import datetime
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.benchmarks import rendu_formulaire
from accompagnement.models import Accompagnement, Objectif
from accounts.models import Role, User
from demo.clients import client_connecte
from referentiel.models import Modalite, Structure, Territoire, TypeContrat
from residents.models import Resident

from . import pdf
from .forms import BrouillonForm
from .models import Contrat, ObjectifContrat


class _Annuler(Exception):
    pass


def _base(n):
    """A territory, a structure, a référent, a délégué and `n` CERs waiting for validation."""
    suffixe = timezone.now().strftime("%H%M%S%f")
    territoire = Territoire.objects.create(departement_id=_departement(), nom=f"Bench contrats {suffixe}")
    structure = Structure.objects.create(nom=f"Bench contrats {suffixe}", type="MSVS", territoire=territoire)
    referent = User.objects.create_user(f"bench-ref-{suffixe}", role=Role.REFERENT, last_name="Référent")
    referent.structures.add(structure)
    delegue = User.objects.create_user(f"bench-del-{suffixe}", role=Role.DELEGUE)
    delegue.territoires.add(territoire)
    modalite = Modalite.objects.get(code=Modalite.Code.RSA_SOCIOPRO)
    residents = Resident.objects.bulk_create(
        Resident(structure=structure, nom=f"Nom{i}", prenom="Prénom", date_naissance=datetime.date(1990, 1, 1))
        for i in range(n)
    )
    mesures = Accompagnement.objects.bulk_create(
        Accompagnement(
            resident=r, modalite=modalite, referent=referent, structure=structure, date_debut=datetime.date(2026, 1, 5)
        )
        for r in residents
    )
    maintenant = timezone.now()
    contrats = Contrat.objects.bulk_create(
        Contrat(
            accompagnement=a,
            type=TypeContrat.CER,
            date_debut=datetime.date(2026, 1, 5),
            date_fin=datetime.date(2026, 7, 5),
            etat=Contrat.Etat.EN_VALIDATION,
            date_soumission_validation=maintenant - datetime.timedelta(minutes=i),
            cree_par=referent,
        )
        for i, a in enumerate(mesures)
    )
    return delegue, contrats


def _departement():
    from referentiel.models import Departement

    return Departement.objects.get_or_create(code="88", defaults={"nom": "Vosges"})[0].pk


def bench_contrats():
    lignes = []
    try:
        with transaction.atomic():
            delegue, contrats = _base(500)
            contrat = contrats[0]
            for i in range(12):
                objectif = Objectif.objects.create(
                    accompagnement=contrat.accompagnement,
                    domaine=Objectif.Domaine.EMPLOI,
                    libelle=f"Objectif n° {i} : une démarche précise et mesurable",
                    critere="trois candidatures envoyées",
                    actions="Atelier CV, rendez-vous France Travail",
                )
                ObjectifContrat.objects.create(contrat=contrat, objectif=objectif, ordre=i)
            mediane, _p95 = rendu_formulaire(lambda: BrouillonForm(instance=contrat))
            lignes.append(("rendu du brouillon de CER par crispy (12 objectifs), médiane", mediane, "ms", None))
            contenu = pdf.contenu_de(contrat, numero=1, le=timezone.now())
            durees = []
            for _ in range(20):
                debut = time.perf_counter()
                pdf.rendre_pdf(contenu)
                durees.append(time.perf_counter() - debut)
            lignes.append(
                ("rendu PDF d'un contrat de 2 pages (médiane)", round(statistics.median(durees) * 1000), "ms", 500)
            )

            client = client_connecte(delegue)
            url = reverse("contrats:file_delegue")
            durees, requetes = [], set()
            for _ in range(40):
                with CaptureQueriesContext(connection) as ctx:
                    debut = time.perf_counter()
                    reponse = client.get(url)
                    durees.append(time.perf_counter() - debut)
                if reponse.status_code != 200:
                    raise AssertionError(f"réponse {reponse.status_code} au lieu de 200")
                requetes.add(len(ctx.captured_queries))
            p95 = statistics.quantiles(durees, n=20)[-1]
            lignes.append(("file du délégué, 500 contrats en attente (p95)", round(p95 * 1000), "ms", 150))
            lignes.append(("file du délégué : requêtes par page", max(requetes), "requêtes", 12))
            raise _Annuler
    except _Annuler:
        pass
    return lignes
