"""E-mails under SMTP faults (issue 22): recorded with their action, sent after its commit by a task,
retried with backoff, at most once, and a digest that could not leave is shown to the administrator."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from courriels import services, tasks
from courriels.models import Courriel
from echeances import services as echeances
from echeances.models import Digest
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import AdministrateurFactory
from tests.courriels.smtp import Capricieux
from tests.taches import attendre

D = datetime.date


@pytest.fixture
def digests():
    """Two référents with alerts on 30/01/2026; the day's digests prepared with their e-mails."""
    for _ in range(2):
        AccompagnementFactory(date_debut=D(2026, 1, 5))
    echeances.synchroniser_alertes(le=D(2026, 1, 30))
    assert echeances.preparer_digests(le=D(2026, 1, 30)) == 2
    return list(Courriel.objects.order_by("pk"))


def test_un_courriel_n_est_jamais_envoye_dans_la_transaction_qui_l_enregistre(digests):
    # Before: the digest was sent inside the transaction writing its Digest row; a failed commit after
    # sending would have sent it again the next time.
    assert mail.outbox == []
    with pytest.raises(RuntimeError), transaction.atomic():
        AccompagnementFactory(date_debut=D(2026, 1, 5))
        echeances.synchroniser_alertes(le=D(2026, 1, 31))
        assert echeances.preparer_digests(le=D(2026, 1, 31)) == 3
        raise RuntimeError("le commit échoue")
    assert mail.outbox == [] and not Digest.objects.filter(jour=D(2026, 1, 31)).exists()
    assert Courriel.objects.count() == 2


def test_smtp_en_panne_reessaye_puis_montre_le_recapitulatif_non_envoye(settings, digests, client):
    """Before: the digest task failed without retry: the day's digests were lost. Now each e-mail is
    retried with backoff (eagerly here), then shown « non envoyé » to the administrator."""
    settings.EMAIL_BACKEND = "tests.courriels.smtp.EnPanne"
    premier = digests[0]
    resultat = tasks.envoyer.apply(args=[premier.pk])  # eager: its retries run at once
    premier.refresh_from_db()
    assert resultat.successful() and premier.etat == Courriel.Etat.ECHEC
    assert premier.tentatives == tasks.ESSAIS + 1 and "SMTPServerDisconnected" in premier.erreur
    assert premier.corps  # kept, to be sent again
    client.force_login(AdministrateurFactory(is_staff=True, is_superuser=True))
    liste = client.get(reverse("admin:echeances_digest_changelist"), {"courriel__etat__exact": "ECHEC"})
    assert liste.status_code == 200
    page = liste.content.decode()
    assert "non envoyé" in page and str(Digest.objects.get(courriel=premier).user) in page
    assert str(Digest.objects.get(courriel=digests[1]).user) not in page  # still waiting, not failed

    # The SMTP server is back: the administrator sends it again, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(
        reverse("admin:courriels_courriel_changelist"), {"action": "renvoyer", "_selected_action": [premier.pk]}
    )
    assert services.envoyer_en_attente() == 2
    assert services.envoyer_en_attente() == 0
    assert sorted(m.to for m in mail.outbox) == sorted(c.destinataires for c in digests)


def test_un_courriel_est_envoye_au_plus_une_fois(digests):
    assert services.envoyer(digests[0].pk) is True
    assert services.envoyer(digests[0].pk) is False  # a second delivery of its message
    assert len(mail.outbox) == 1
    courriel = Courriel.objects.get(pk=digests[0].pk)
    assert (courriel.etat, courriel.corps, courriel.tentatives) == ("ENVOYE", "", 1)


def test_un_envoi_interrompu_n_est_pas_refait_et_se_voit(digests):
    # A worker killed between its claim and the SMTP answer: the e-mail may have left. It is never sent
    # again; after the deadline it shows « non envoyé » with the reason.
    Courriel.objects.filter(pk=digests[0].pk).update(
        etat="EN_COURS", pris_par="autre-machine:12", pris_le=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert services.envoyer(digests[0].pk) is False
    assert services.relancer() == (0, 0)  # before the deadline: perhaps still sending
    plus_tard = timezone.now() + services.DELAI_ENVOI
    assert services.relancer(plus_tard)[1] == 1
    courriel = Courriel.objects.get(pk=digests[0].pk)
    assert courriel.etat == "ECHEC" and "peut-être été reçu" in courriel.erreur
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_capricieux_un_seul_courriel_par_personne_apres_les_essais(settings, worker, monkeypatch):
    """A real worker: the SMTP server refuses three times, then accepts; every digest leaves once."""
    monkeypatch.setattr(tasks, "attente_avant_essai", lambda essai, base: 0.3)
    settings.EMAIL_BACKEND = "tests.courriels.smtp.Capricieux"
    Capricieux.pannes = 3
    for _ in range(2):
        AccompagnementFactory(date_debut=D(2026, 1, 5))
    echeances.synchroniser_alertes(le=D(2026, 1, 30))
    echeances.preparer_digests(le=D(2026, 1, 30))  # committed: its e-mails are queued
    echeances.preparer_digests(le=D(2026, 1, 30))  # a second run of the morning task: nothing more
    attendre(lambda: not Courriel.objects.exclude(etat="ENVOYE").exists(), message="les courriels envoyés")
    assert Capricieux.pannes == 0
    assert sorted(m.to for m in mail.outbox) == sorted(Courriel.objects.values_list("destinataires", flat=True))
    assert len(mail.outbox) == Digest.objects.count() == 2
