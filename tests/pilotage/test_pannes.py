"""Background exports under the faults of issue 22 (docs/faults.md): a worker killed whole, a message
delivered twice, the database lost mid-export, Redis down at the request, a claim left by a dead worker,
files left without their row. Real Celery workers (a thread, or a process that is killed) on Redis."""

import datetime
import os
import socket
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from pilotage import exports, production, tasks
from pilotage.models import Export
from tests.accounts.factories import MOT_DE_PASSE
from tests.pilotage.conftest import SOCIOPRO, mesure
from tests.taches import WorkerProcessus, attendre, worker_en_fil

DOSSIER = Export._meta.get_field("fichier").upload_to.rstrip("/")


def _fichiers_de(export):
    """The files written for this export (their names start with its number)."""
    debut = f"{export.pk}-"
    _d, fichiers = default_storage.listdir(DOSSIER) if default_storage.exists(DOSSIER) else ([], [])
    return sorted(f"{DOSSIER}/{f}" for f in fichiers if f.startswith(debut))


def _export(monde, nb=5, **kwargs):
    for _ in range(nb):
        mesure(monde["referent"], SOCIOPRO, datetime.date(2025, 1, 1))
    return Export.objects.create(
        utilisateur=monde["referent"],
        type="mesures",
        format=Export.Format.CSV,
        expire_le=timezone.now() + datetime.timedelta(days=1),
        cree_le=timezone.now() - datetime.timedelta(seconds=kwargs.pop("age", 0)),
        **kwargs,
    )


@pytest.fixture
def retenue(monkeypatch):
    """The production stops at its third row until the test lets it go; `retenue.pid` is the database
    backend of the connection that produces (to cut it, as a PostgreSQL restart would)."""
    monkeypatch.setattr(exports, "TAILLE_LOT", 2)  # progress stored and rows fetched 2 by 2
    etat = threading.local()
    arretee, reprendre, pids = threading.Event(), threading.Event(), []
    contenu = production.contenu

    def contenu_retenu(*args):
        donnees = contenu(*args)
        lignes = donnees.lignes
        premiere = not pids

        def retenues():
            for n, ligne in enumerate(lignes, 1):
                if n == 3 and premiere:
                    pids.append(connection.connection.info.backend_pid)
                    arretee.set()
                    reprendre.wait(30)
                yield ligne

        donnees.lignes = retenues()
        return donnees

    monkeypatch.setattr(production, "contenu", contenu_retenu)
    etat.arretee, etat.reprendre, etat.pids = arretee, reprendre, pids
    yield etat
    reprendre.set()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Files of this test only: what a test finds in the exports folder, it wrote."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Transactional: the workers read what the test commits; serialized rollback gives the référentiel back.
pannes = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pannes
def test_un_worker_tue_tout_entier_voit_sa_tache_reprise_par_le_suivant(monde):
    """Before: kombu's default visibility timeout (an hour) before redelivery, and a redelivered export
    found « en cours » was produced again beside the first file. Now: delivered again within the
    visibility timeout, the dead worker's claim is taken over, one file."""
    export = _export(monde)
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.control.purge()
    # The production will block on its first read of the measures, held by this « migration ».
    verrou = psycopg.connect(**connection.get_connection_params())
    try:
        verrou.execute("BEGIN")
        verrou.execute("LOCK TABLE accompagnement_accompagnement IN ACCESS EXCLUSIVE MODE")
        with WorkerProcessus() as premier:
            tasks.produire_export.delay(export.pk)
            attendre(lambda: Export.objects.filter(pk=export.pk, etat="EN_COURS").exists(), message="la prise")
            premier.tuer()  # the main process and its pool child, mid-task
        verrou.rollback()
    finally:
        verrou.close()
    export.refresh_from_db()
    assert (export.etat, export.tentatives) == ("EN_COURS", 1)  # claimed by a process that no longer exists
    with WorkerProcessus():
        attendre(lambda: Export.objects.filter(pk=export.pk, etat="PRET").exists(), message="l'export prêt")
    export.refresh_from_db()
    assert (export.lignes, export.tentatives) == (5, 2)
    assert _fichiers_de(export) == [export.fichier.name]


@pannes
def test_le_meme_export_livre_deux_fois_ne_produit_qu_un_fichier(monde, retenue):
    """Before: the second delivery claimed the export « en cours » again and wrote a second file; the row
    pointed to one of them, the other (every person's data) was never purged."""
    export = _export(monde)
    with worker_en_fil():
        tasks.produire_export.delay(export.pk)
        assert retenue.arretee.wait(30)
        # Meanwhile the same message reaches a second worker: it finds the export taken.
        assert tasks.produire_export.apply(args=[export.pk]).successful()
        assert Export.objects.get(pk=export.pk).etat == "EN_COURS"
        retenue.reprendre.set()
        attendre(lambda: Export.objects.filter(pk=export.pk, etat="PRET").exists(), message="l'export prêt")
    export.refresh_from_db()
    assert export.pris_par and export.pris_le and export.tentatives == 1
    assert _fichiers_de(export) == [export.fichier.name]


@pannes
def test_la_base_perdue_pendant_un_export_est_reprise_pas_laissee_en_cours(monde, retenue, monkeypatch):
    """Before: the handler meant to record « échec » reused the dead connection and failed too: the export
    stayed « en cours » for good and its page polled forever. Now the task reconnects, gives the export
    back, and its retry (with backoff, shortened here) produces it."""
    monkeypatch.setattr(tasks, "attente_avant_essai", lambda essai, base: 0.5)
    export = _export(monde)
    with worker_en_fil():
        tasks.produire_export.delay(export.pk)
        assert retenue.arretee.wait(30)
        with connection.cursor() as cursor:  # what a PostgreSQL restart does to the worker's connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [retenue.pids[0]])
        retenue.reprendre.set()
        attendre(lambda: Export.objects.filter(pk=export.pk, etat__in=["PRET", "ECHEC"]).exists(), message="la fin")
    export.refresh_from_db()
    assert (export.etat, export.lignes, export.tentatives) == ("PRET", 5, 2), export.erreur
    assert _fichiers_de(export) == [export.fichier.name]


@pannes
def test_redis_injoignable_a_la_demande_un_message_clair_puis_rien_de_perdu(
    client, monde, monkeypatch, broker_injoignable
):
    """Before: HTTP 500 after the row was committed « en attente », and sending the form again once Redis
    was back returned the same row and still queued nothing."""
    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 2)
    for _ in range(3):
        mesure(monde["referent"], SOCIOPRO, datetime.date(2025, 1, 1))
    client.login(username=monde["referent"].username, password=MOT_DE_PASSE)
    formulaire = {"type": "mesures", "format": "csv", "jeton": "7f1d1f4e-6a33-4f2e-9a57-2f2f6e0c1a11"}
    reponse = client.post(reverse("pilotage:demander_export"), formulaire, follow=True)
    assert reponse.status_code == 200
    assert "sa préparation démarrera d&#x27;ici quelques minutes" in reponse.content.decode()
    export = Export.objects.get()
    assert (export.etat, export.mis_en_file_le) == ("EN_ATTENTE", None)
    assert "La préparation démarrera dans quelques instants." in reponse.content.decode()

    broker_injoignable()  # Redis is back
    with worker_en_fil():
        reponse = client.post(reverse("pilotage:demander_export"), formulaire, follow=True)
        assert "L&#x27;export est en préparation" in reponse.content.decode()
        assert Export.objects.get().pk == export.pk
        export.refresh_from_db()
        assert export.mis_en_file_le is not None  # queued this time
        attendre(lambda: Export.objects.filter(pk=export.pk, etat="PRET").exists(), message="l'export prêt")


@pannes
def test_le_passage_de_la_minute_met_en_file_ce_qui_n_a_pas_pu_l_etre(monde, broker_injoignable):
    export = _export(monde, age=30)
    assert production.relancer() == 0  # Redis down: nothing queued, nothing lost
    broker_injoignable()
    assert production.relancer() == 0  # saved 30 s ago: its own enqueue may still be on its way
    Export.objects.filter(pk=export.pk).update(cree_le=timezone.now() - datetime.timedelta(minutes=2))
    with worker_en_fil():
        assert production.relancer() == 1
        assert production.relancer() == 0  # queued once, not every minute
        attendre(lambda: Export.objects.filter(pk=export.pk, etat="PRET").exists(), message="l'export prêt")


def test_une_prise_perimee_est_rendue_puis_echoue_en_francais(monde, client):
    il_y_a_longtemps = timezone.now() - production.DELAI_PRODUCTION - datetime.timedelta(minutes=1)
    perimee = _export(monde, nb=1, etat="EN_COURS", pris_par="autre-machine:12", pris_le=il_y_a_longtemps)
    vivante = _export(monde, nb=0, etat="EN_COURS", pris_par="autre-machine:13", pris_le=timezone.now())
    epuisee = _export(monde, nb=0, etat="EN_COURS", pris_par="autre-machine:14", pris_le=il_y_a_longtemps, tentatives=5)
    production.relancer()
    for export in (perimee, vivante, epuisee):
        export.refresh_from_db()
    assert (perimee.etat, perimee.pris_par, perimee.mis_en_file_le is not None) == ("EN_ATTENTE", "", True)
    assert (vivante.etat, vivante.pris_par) == ("EN_COURS", "autre-machine:13")  # a live claim is left alone
    assert epuisee.etat == "ECHEC" and epuisee.erreur == production.INTERROMPU
    client.force_login(monde["referent"])
    fragment = client.get(reverse("pilotage:etat_export", args=[epuisee.pk])).content.decode()
    assert "interrompue plusieurs fois" in fragment and "every 1s" not in fragment


def test_une_prise_d_un_processus_mort_de_cette_machine_est_reprise_aussitot(monde):
    mort = _processus_termine()
    export = _export(monde, etat="EN_COURS", pris_par=f"{socket.gethostname()}:{mort}", pris_le=timezone.now())
    assert production.produire(export.pk).etat == "PRET"
    vivant = _export(monde, nb=0, etat="EN_COURS", pris_par=f"{socket.gethostname()}:1", pris_le=timezone.now())
    assert production.produire(vivant.pk) is None  # pid 1 is alive: its claim stands until the deadline


def _processus_termine():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_la_purge_retire_les_fichiers_sans_export(monde):
    export = _export(monde, nb=1)
    production.produire(export.pk)
    export.refresh_from_db()
    vieux = default_storage.save(f"{DOSSIER}/orphelin-vieux.csv", ContentFile(b"nom;prenom\n"))
    recent = default_storage.save(f"{DOSSIER}/orphelin-recent.csv", ContentFile(b"nom;prenom\n"))
    ancien = time.time() - production.DELAI_PRODUCTION.total_seconds() - 60
    for nom in (vieux, export.fichier.name):
        os.utime(default_storage.path(nom), (ancien, ancien))
    production.purger()
    assert not default_storage.exists(vieux)
    assert default_storage.exists(recent)  # may belong to a production about to record it
    assert default_storage.exists(export.fichier.name)  # its row points to it


def test_reglages_celery_pour_les_pannes():
    """The visibility timeout is above the longest a task may run (Celery kills it then), far below
    kombu's default hour, and every retry countdown stays below it."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < options["visibility_timeout"]
    assert options["visibility_timeout"] <= 30 * 60
    assert app.conf.broker_transport_options["visibility_timeout"] == options["visibility_timeout"]
    from config.celery import attente_avant_essai

    assert max(attente_avant_essai(essai, 60) for essai in range(20)) < options["visibility_timeout"]
    assert production.DELAI_PRODUCTION.total_seconds() > settings.CELERY_TASK_TIME_LIMIT
