"""`make bench` for contracts: PDF rendering of a two-page contract, the délégué's queue with 500 pending
contracts, and the server time of the steps that render a PDF (submitting a contract, each signature) and
of downloading a frozen version. Built in a transaction rolled back at the end: the base stays as it was.
`manage.py bench --seulement contrats` runs only these."""

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
from .models import Contrat, ObjectifContrat, Partie


class _Annuler(Exception):
    pass


def _base(n):
    """A territory, a structure, a référent, a délégué and `n` CERs waiting for validation; returns the
    délégué, the CERs and the structure."""
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
    return delegue, contrats, structure


def _departement():
    from referentiel.models import Departement

    return Departement.objects.get_or_create(code="88", defaults={"nom": "Vosges"})[0].pk


def bench_contrats():
    lignes = []
    try:
        with transaction.atomic():
            delegue, contrats, _structure = _base(500)
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


CONTRATS_SIGNES = 20
MOT_DE_PASSE_BENCH = "bench-contrats-mot-de-passe-2026"


def _p50_p95(durees):
    return round(statistics.median(durees) * 1000), round(statistics.quantiles(durees, n=20)[-1] * 1000)


def _poster(client, url, donnees, durees):
    debut = time.perf_counter()
    reponse = client.post(url, donnees)
    durees.append(time.perf_counter() - debut)
    if reponse.status_code != 302:  # a refusal renders the page again (200) with its message
        raise AssertionError(f"{url} : réponse {reponse.status_code} au lieu d'une redirection")


def bench_signature_contrats():
    """Server time, as the référent's browser waits for it, of submitting a CER (its frozen PDF rendered)
    and of each signature (the signed copy rendered and stored again), then of downloading the stored copy
    (served from storage, never rendered)."""
    lignes = []
    try:
        with transaction.atomic():
            _delegue, _contrats, structure = _base(0)
            suffixe = timezone.now().strftime("%H%M%S%f")
            referent = User.objects.create_user(
                f"bench-sig-{suffixe}", password=MOT_DE_PASSE_BENCH, role=Role.REFERENT, last_name="Signataire"
            )
            referent.structures.add(structure)
            modalite = Modalite.objects.get(code=Modalite.Code.RSA_SOCIOPRO)
            brouillons = []
            for i in range(CONTRATS_SIGNES):
                resident = Resident.objects.create(
                    structure=structure, nom=f"Signe{i}", prenom="Prénom", date_naissance=datetime.date(1990, 1, 1)
                )
                mesure = Accompagnement.objects.create(
                    resident=resident, modalite=modalite, referent=referent, structure=structure,
                    date_debut=datetime.date(2026, 1, 5),
                )  # fmt: skip
                contrat = Contrat.objects.create(
                    accompagnement=mesure, type=TypeContrat.CER, date_debut=datetime.date(2026, 1, 5),
                    date_fin=datetime.date(2026, 7, 5), cree_par=referent,
                    engagements_personne="Exprimer ses besoins.\nRépondre aux sollicitations.",
                    engagements_structure="Recevoir la personne régulièrement.",
                )  # fmt: skip
                for j in range(4):
                    objectif = Objectif.objects.create(
                        accompagnement=mesure, domaine=Objectif.Domaine.EMPLOI,
                        libelle=f"Objectif n° {j} : une démarche précise et mesurable",
                        critere="trois candidatures envoyées", echeance=datetime.date(2026, 4, 30),
                        actions="Atelier CV, rendez-vous France Travail",
                    )  # fmt: skip
                    ObjectifContrat.objects.create(contrat=contrat, objectif=objectif, ordre=j)
                brouillons.append(contrat)
            client = client_connecte(referent)
            soumissions, personnes, referents, premiers, telechargements = [], [], [], [], []
            for contrat in brouillons:
                contrat.refresh_from_db()
                _poster(client, reverse("contrats:soumettre", args=[contrat.pk]), {"version": contrat.version},
                        soumissions)  # fmt: skip
                version = contrat.version_courante()
                nom = next(p["nom"] for p in version.contenu["parties"] if p["code"] == Partie.RESIDENT)
                _poster(
                    client,
                    reverse("contrats:signer", args=[contrat.pk, Partie.RESIDENT]),
                    {"numero_version": version.numero, "methode": "PRESENCE", "nom_signataire": nom,
                     "consentement": "on"},
                    personnes,
                )  # fmt: skip
                _poster(
                    client,
                    reverse("contrats:signer", args=[contrat.pk, Partie.REFERENT]),
                    {"numero_version": version.numero, "mot_de_passe": MOT_DE_PASSE_BENCH},
                    referents,
                )
                url = reverse("contrats:pdf", args=[contrat.pk, version.numero])
                for i in range(4):  # the first renders the signed copy and stores it, the others read it
                    debut = time.perf_counter()
                    reponse = client.get(url)
                    (premiers if i == 0 else telechargements).append(time.perf_counter() - debut)
                    if reponse.status_code != 200:
                        raise AssertionError(f"{url} : réponse {reponse.status_code} au lieu de 200")
            signes = Contrat.objects.filter(pk__in=[c.pk for c in brouillons], etat=Contrat.Etat.EN_VALIDATION)
            if signes.count() != CONTRATS_SIGNES:
                raise AssertionError(f"{signes.count()} contrats signés sur {CONTRATS_SIGNES}")
            for libelle, durees in (
                ("soumission d'un CER (PDF figé rendu)", soumissions),
                ("signature de la personne", personnes),
                ("signature du référent, mot de passe vérifié", referents),
                ("premier téléchargement de l'exemplaire signé (rendu puis stocké)", premiers),
            ):
                p50, p95 = _p50_p95(durees)
                lignes.append((f"{libelle}, p50", p50, "ms", None))
                lignes.append((f"{libelle}, p95", p95, "ms", 800))
            lignes.append(("téléchargement suivant (fichier stocké), p95", _p50_p95(telechargements)[1],
                           "ms", 15))  # fmt: skip
            raise _Annuler
    except _Annuler:
        pass
    return lignes
