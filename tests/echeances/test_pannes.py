"""The alerts under the faults of issue 22 (docs/faults.md): a write during the morning run, a lock held by
another synchronisation, Redis down when a report is sent. The outcome is always the alerts of a clean
run, with nothing lost and no acknowledged alert raised again."""

import datetime
import threading

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accompagnement import services as accompagnement_services
from accompagnement.models import Accompagnement, Entretien, TypeEntretien
from courriels import services as courriels
from courriels.models import Courriel
from echeances import services, tasks
from echeances.models import Alerte, Digest, MesureASynchroniser
from echeances.moteur import Regle, calculer
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory
from tests.echeances.conftest import a_paris, verrou_tenu
from tests.taches import attendre, worker_en_fil

D = datetime.date


def _etat_des_alertes():
    return sorted(Alerte.objects.values_list("cle", "statut", "etat", "due_le"))


def _comme_une_execution_propre():
    """The alerts not closed are exactly the engine's échéances due soon or overdue, and a clean run on
    the base as it is changes nothing."""
    attendu = {
        e.cle for e in calculer(Accompagnement.objects.all(), le=timezone.localdate(), etats=services.A_SIGNALER)
    }
    assert set(Alerte.objects.exclude(statut=Alerte.Statut.FERMEE).values_list("cle", flat=True)) == attendu
    avant = _etat_des_alertes()
    services.synchroniser_alertes()
    assert _etat_des_alertes() == avant
    return True


def _rencontre(mesure):
    accompagnement_services.enregistrer_entretien(
        accompagnement=mesure, par=mesure.referent, type=TypeEntretien.BUREAU, duree_minutes=30
    )


@pytest.fixture
def rapide(monkeypatch):
    """Retries in half a second instead of the production backoff; the morning run waits 0.2 s for the lock."""
    monkeypatch.setattr(tasks, "attente_avant_essai", lambda essai, base: 0.5)
    monkeypatch.setattr(services, "ATTENTE_DU_MATIN", 0.2)
    monkeypatch.setattr(tasks, "ATTENTE_DE_LA_PASSE", 0.2)


pannes = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pannes
def test_un_entretien_enregistre_pendant_le_calcul_du_matin_n_est_pas_ecrase(monkeypatch, worker, mailoutbox):
    """Before: the morning run computed before taking its lock; the after-write synchronisation of an
    entretien saved meanwhile closed the measure's alerts, then the morning run wrote its older
    computation over it, re-opening them and re-raising an alert a user had acknowledged. Now the
    morning run computes under its lock, the entretien's measure waits for it and is synchronised
    right after, before the digests are prepared."""
    mesure = AccompagnementFactory()
    services.synchroniser_alertes()
    contact = Alerte.objects.get(accompagnement=mesure, regle=Regle.CONTACT)
    services.acquitter(alerte=contact, par=mesure.referent, commentaire="Appel prévu lundi.", version=contact.version)
    calcule, reprendre = threading.Event(), threading.Event()
    calculer_du_moteur = services.calculer

    def calculer_retenu(mesures, **kwargs):
        echeances = calculer_du_moteur(mesures, **kwargs)
        if isinstance(mesures, QuerySet):  # the whole base: the morning run stops here
            calcule.set()
            reprendre.wait(30)
        return echeances

    monkeypatch.setattr(services, "calculer", calculer_retenu)
    tasks.synchroniser_alertes.delay()
    assert calcule.wait(30)
    _rencontre(mesure)  # committed; its synchronisation finds the lock taken and queues the measure
    assert MesureASynchroniser.objects.filter(accompagnement_id=mesure.pk).exists()
    reprendre.set()
    attendre(lambda: Digest.objects.exists() and not MesureASynchroniser.objects.exists(), message="le matin")
    attendre(lambda: not Courriel.objects.exclude(etat="ENVOYE").exists(), message="les courriels envoyés")
    contact.refresh_from_db()
    assert contact.statut == Alerte.Statut.FERMEE  # its cause is gone: closed, neither re-opened nor lost
    assert not Alerte.objects.filter(accompagnement=mesure, regle__in=["CONTACT", "RENCONTRE_PHYSIQUE"]).exclude(
        statut=Alerte.Statut.FERMEE
    )
    assert _comme_une_execution_propre()
    [message] = mailoutbox  # the digest went out on the alerts after the entretien
    assert "Prendre contact" not in message.body


@pytest.fixture
def essais(monkeypatch):
    """The morning run's attempts (whole-base synchronisations), as the worker makes them."""
    faits = []
    synchroniser = services.synchroniser_alertes

    def compte(**kwargs):
        if kwargs.get("accompagnements") is None:
            faits.append(kwargs)
        return synchroniser(**kwargs)

    monkeypatch.setattr(services, "synchroniser_alertes", compte)
    return faits


@pannes
def test_le_matin_trouvant_le_verrou_pris_reessaie_et_n_envoie_rien_de_perime(worker, rapide, essais):
    """Before: the morning task reported success with `ignore=True`, no retry, and the digests went out
    on stale alerts: the whole day's synchronisation was skipped."""
    AccompagnementFactory()
    Alerte.objects.all().delete()  # the base as the morning finds it: nothing synchronised yet
    with verrou_tenu() as liberer:  # an after-write synchronisation that takes its time
        tasks.synchroniser_alertes.delay()
        attendre(lambda: len(essais) >= 2, message="deux essais")
        assert not Alerte.objects.exists() and not Digest.objects.exists()
        liberer()
    attendre(lambda: Digest.objects.exists(), message="les récapitulatifs")
    assert _comme_une_execution_propre()


def test_la_tache_du_matin_ne_se_dit_jamais_reussie_sans_avoir_synchronise(rapide, essais):
    AccompagnementFactory()
    with verrou_tenu():
        resultat = tasks.synchroniser_alertes.apply()  # eager: its retries run at once
    assert resultat.state == "FAILURE" and isinstance(resultat.result, services.SynchronisationOccupee)
    assert len(essais) == tasks.ESSAIS + 1 and not Alerte.objects.exists()
    assert tasks.synchroniser_alertes.apply().state == "SUCCESS"
    assert _comme_une_execution_propre()


@pannes
def test_un_entretien_enregistre_pendant_que_le_matin_tient_le_verrou_n_est_pas_perdu(rapide):
    """Before: the after-write synchronisation returned `ignore=True`, read by nobody: the change was lost
    until the next morning. Now the measure is queued and the pass synchronises it once the lock is free."""
    mesure = AccompagnementFactory()  # committed, its alerts synchronised after the commit
    with verrou_tenu() as liberer:
        EntretienFactory(accompagnement=mesure)  # committed while the lock is held
        assert Alerte.objects.get(accompagnement=mesure, regle=Regle.CONTACT).statut == "OUVERTE"  # not yet
        assert tasks.synchroniser_en_attente.apply().get() is None  # retried while the lock is held, then
        assert MesureASynchroniser.objects.filter(accompagnement_id=mesure.pk).exists()  # left to the next pass
        liberer()
    assert tasks.synchroniser_en_attente.apply().get() == 1
    assert not MesureASynchroniser.objects.exists()
    assert Alerte.objects.get(accompagnement=mesure, regle=Regle.CONTACT).statut == "FERMEE"
    assert _comme_une_execution_propre()


def test_une_synchronisation_apres_ecriture_qui_echoue_est_remise_a_plus_tard(
    django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        mesure = AccompagnementFactory()

    def en_panne(**kwargs):
        raise RuntimeError("moteur en panne")

    monkeypatch.setattr(services, "synchroniser_alertes", en_panne)
    with django_capture_on_commit_callbacks(execute=True):
        EntretienFactory(accompagnement=mesure)  # saved all the same
    assert list(MesureASynchroniser.objects.values_list("accompagnement_id", flat=True)) == [mesure.pk]
    assert Entretien.objects.filter(accompagnement=mesure).exists()


def test_une_mesure_mise_en_attente_pendant_une_passe_reste_pour_la_suivante(monkeypatch):
    mesure, autre = AccompagnementFactory(), AccompagnementFactory()
    MesureASynchroniser.objects.create(accompagnement_id=mesure.pk)
    synchroniser, ecrites = services.synchroniser_alertes, []

    def pendant_la_passe(**kwargs):
        if not ecrites:
            ecrites.append(MesureASynchroniser.objects.create(accompagnement_id=autre.pk))  # written meanwhile
        return synchroniser(**kwargs)

    monkeypatch.setattr(services, "synchroniser_alertes", pendant_la_passe)
    assert services.synchroniser_en_attente() == 2  # the new one in a second batch, not swallowed
    assert not MesureASynchroniser.objects.exists()


@pannes
def test_redis_injoignable_un_signalement_est_enregistre_et_son_courriel_part_ensuite(client, broker_injoignable):
    """Before: the e-mail to the délégué was sent in the request after the commit: an SMTP or broker
    fault turned a saved report into an error page. Now it is recorded with the report and sent by a
    worker; the minute's pass queues it once Redis is back."""
    mesure = AccompagnementFactory()
    for jour in (D(2026, 2, 10), D(2026, 2, 17)):
        EntretienFactory(accompagnement=mesure, date_heure=a_paris(jour), statut=Entretien.Statut.ABSENT_NON_EXCUSE)
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    client.force_login(mesure.referent)
    reponse = client.post(
        reverse("echeances:signalement_nouveau", args=[mesure.pk]), {"motif": "Deux absences sans nouvelles."}
    )
    assert reponse.status_code == 302
    courriel = Courriel.objects.get()
    assert (courriel.etat, courriel.mis_en_file_le, courriel.destinataires) == ("EN_ATTENTE", None, [delegue.email])
    broker_injoignable()  # Redis is back
    plus_tard = timezone.now() + datetime.timedelta(minutes=2)
    with worker_en_fil():
        assert courriels.relancer(plus_tard) == (1, 0)
        attendre(lambda: Courriel.objects.filter(etat="ENVOYE").exists(), message="le courriel envoyé")
