"""The morning job: one alert per cause, idempotent, closes by itself, respects acknowledgements."""

import datetime
import io
import json
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accompagnement.models import Accompagnement, Entretien
from accompagnement.verrou import ConflitDeVersion
from courriels import services as courriels
from echeances import services
from echeances.models import Alerte, Digest
from echeances.moteur import Etat, Regle, calculer
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.echeances.conftest import a_paris, verrou_tenu

D = datetime.date


def _etat_des_alertes():
    return sorted(
        Alerte.objects.values_list("cle", "statut", "etat", "due_le", "premiere_vue", "derniere_vue", "version")
    )


@pytest.fixture
def mesure():
    return AccompagnementFactory(date_debut=D(2026, 1, 5))  # RSA: contact due 20/01, meeting 05/02


def test_le_job_et_l_ecran_sont_d_accord(mesure):
    AccompagnementFactory()
    services.synchroniser_alertes(le=D(2026, 1, 30))
    attendu = {e.cle for e in calculer(Accompagnement.objects.all(), le=D(2026, 1, 30)) if e.etat != Etat.A_JOUR}
    assert set(Alerte.objects.ouvertes().values_list("cle", flat=True)) == attendu
    assert attendu  # the test means something


def test_deux_executions_ne_changent_rien(mesure):
    premier = services.synchroniser_alertes(le=D(2026, 1, 30))
    avant = _etat_des_alertes()
    second = services.synchroniser_alertes(le=D(2026, 1, 30))
    assert _etat_des_alertes() == avant
    assert premier.creees == len(avant) and second.creees == second.mises_a_jour == second.fermees == 0


def test_une_alerte_par_cause_mise_a_jour_puis_fermee(mesure):
    services.synchroniser_alertes(le=D(2026, 1, 19))
    alerte = Alerte.objects.get(regle=Regle.CONTACT)
    assert (alerte.etat, alerte.destinataires) == (Etat.BIENTOT, [mesure.referent_id])
    services.synchroniser_alertes(le=D(2026, 1, 21))
    alerte.refresh_from_db()
    assert (alerte.etat, alerte.premiere_vue, alerte.derniere_vue) == (Etat.EN_RETARD, D(2026, 1, 19), D(2026, 1, 21))
    assert Alerte.objects.filter(regle=Regle.CONTACT).count() == 1
    EntretienFactory(accompagnement=mesure, date_heure=a_paris(D(2026, 1, 21)))  # the contact is made
    services.synchroniser_alertes(le=D(2026, 1, 21))
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.FERMEE and alerte.fermee_le is not None


def test_une_alerte_acquittee_n_est_pas_relevee(mesure):
    services.synchroniser_alertes(le=D(2026, 1, 19))
    alerte = Alerte.objects.get(regle=Regle.CONTACT)
    services.acquitter(alerte=alerte, par=mesure.referent, commentaire="Appel prévu lundi.", version=alerte.version)
    services.synchroniser_alertes(le=D(2026, 1, 25))
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.ACQUITTEE and alerte.etat == Etat.EN_RETARD
    assert not Alerte.objects.ouvertes().filter(regle=Regle.CONTACT).exists()


def test_acquitter_exige_un_commentaire_et_une_version_a_jour(mesure):
    services.synchroniser_alertes(le=D(2026, 1, 19))
    alerte = Alerte.objects.get(regle=Regle.CONTACT)
    with pytest.raises(ValidationError):
        services.acquitter(alerte=alerte, par=mesure.referent, commentaire="  ", version=alerte.version)
    with pytest.raises(ConflitDeVersion):
        services.acquitter(alerte=alerte, par=mesure.referent, commentaire="ok", version=alerte.version + 5)
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.OUVERTE


def test_un_job_interrompu_relance_ne_perd_ni_ne_duplique_rien(mesure, monkeypatch):
    services.synchroniser_alertes(le=D(2026, 1, 19))
    avant = _etat_des_alertes()

    # Killed between the upsert and the closing: the whole transaction is rolled back.
    monkeypatch.setattr(services, "_SQL_OUVERTES", "SELECT pg_sleep(0) FROM nowhere_table_xyz")
    with pytest.raises(Exception):  # noqa: B017
        services.synchroniser_alertes(le=D(2026, 1, 25))
    assert _etat_des_alertes() == avant
    monkeypatch.undo()
    services.synchroniser_alertes(le=D(2026, 1, 25))
    services.synchroniser_alertes(le=D(2026, 1, 25))
    cles = list(Alerte.objects.values_list("cle", flat=True))
    assert len(cles) == len(set(cles))
    assert Alerte.objects.filter(derniere_vue=D(2026, 1, 25)).exists()


def test_un_second_worker_attend_son_tour_au_lieu_de_s_effacer(mesure):
    # Before: a synchronisation finding the lock taken returned `ignore=True` and wrote nothing, read by
    # nobody. Now it waits for the lock (up to `attente`), then computes and writes.
    with verrou_tenu() as liberer:
        threading.Timer(0.5, liberer).start()
        bilan = services.synchroniser_alertes(le=D(2026, 1, 19), attente=10)
    assert bilan.creees and Alerte.objects.filter(accompagnement=mesure, regle=Regle.CONTACT).exists()
    assert connection.in_atomic_block  # still inside the test's transaction


def test_un_worker_qui_ne_peut_pas_attendre_le_dit(mesure):
    with verrou_tenu():
        with pytest.raises(services.SynchronisationOccupee):
            services.synchroniser_alertes(le=D(2026, 1, 19))
        with pytest.raises(services.SynchronisationOccupee):
            services.synchroniser_alertes(le=D(2026, 1, 19), attente=0.2)
    assert not Alerte.objects.exists()
    assert services.synchroniser_alertes(le=D(2026, 1, 19)).creees  # the lock and the transaction are usable


def test_recapitulatif_quotidien_une_fois_par_jour(mesure):
    services.synchroniser_alertes(le=D(2026, 1, 30))
    assert services.preparer_digests(le=D(2026, 1, 30)) == 1
    assert services.preparer_digests(le=D(2026, 1, 30)) == 0
    assert courriels.envoyer_en_attente() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mesure.referent.email]
    assert "Prendre contact" in message.body and str(mesure.resident) in message.body
    assert Digest.objects.get().nb_alertes == Alerte.objects.ouvertes().count()


def test_commande_table_et_json_egales_au_moteur(mesure, voyager):
    voyager(D(2026, 1, 30))  # today: a past day would be read from history (tests/echeances/test_historique.py)
    AccompagnementFactory()
    attendu = calculer(Accompagnement.objects.all(), le=D(2026, 1, 30))
    out = io.StringIO()
    call_command("echeances", "--as-of", "2026-01-30", "--format", "json", stdout=out)
    assert [(e["cle"], e["due_le"], e["etat"]) for e in json.loads(out.getvalue())] == [
        (e.cle, e.due_le.isoformat(), e.etat) for e in attendu
    ]
    out = io.StringIO()
    call_command("echeances", "--as-of", "2026-01-30", "--structure", str(mesure.structure_id), stdout=out)
    lignes = out.getvalue().splitlines()
    mine = [e for e in attendu if e.structure_id == mesure.structure_id]
    assert lignes[-1] == f"{len(mine)} échéance(s) au 30/01/2026."
    assert all(e.message in out.getvalue() for e in mine)
    assert not Alerte.objects.exists()  # read-only


# --- kept in step during the day (echeances/signals.py) -----------------------------------------
# A test runs in one transaction: what its factories write is synchronised by the callback of that
# transaction, run here by django_capture_on_commit_callbacks(execute=True).


def test_une_nouvelle_mesure_a_ses_alertes_puis_un_contact_ferme_la_sienne(django_capture_on_commit_callbacks):
    from accompagnement import services as accompagnement_services

    with django_capture_on_commit_callbacks(execute=True):
        mesure = AccompagnementFactory(date_debut=D(2026, 1, 5))
    ouverte = Alerte.objects.get(regle="CONTACT", accompagnement=mesure, statut=Alerte.Statut.OUVERTE)
    assert ouverte.etat == Etat.EN_RETARD
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        accompagnement_services.enregistrer_entretien(
            accompagnement=mesure, par=mesure.referent, type="TELEPHONE", date_heure=timezone.now(),
            statut=Entretien.Statut.HONORE, duree_minutes=10,
        )  # fmt: skip
    assert len(rappels) == 1
    ouverte.refresh_from_db()
    assert ouverte.statut == Alerte.Statut.FERMEE
    assert not Alerte.objects.filter(regle="CONTACT", accompagnement=mesure, statut="OUVERTE", etat="EN_RETARD")


def test_un_atelier_ferme_l_alerte_de_contact_de_ses_participants(django_capture_on_commit_callbacks):
    from accompagnement import services as accompagnement_services

    with django_capture_on_commit_callbacks(execute=True):
        mesure = AccompagnementFactory(date_debut=D(2026, 1, 5))
    ouverte = Alerte.objects.get(regle="CONTACT", accompagnement=mesure, statut=Alerte.Statut.OUVERTE)
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        accompagnement_services.creer_action_collective(
            par=mesure.referent, structure=mesure.structure, theme="Budget",
            date_heure=timezone.now() - datetime.timedelta(hours=1), residents=[mesure.resident],
        )  # fmt: skip
    assert len(rappels) == 1
    ouverte.refresh_from_db()
    assert ouverte.statut == Alerte.Statut.FERMEE  # the badge and the digest agree with the dossier


def test_une_synchronisation_par_transaction_et_rien_si_elle_est_annulee(django_capture_on_commit_callbacks):
    from django.db import transaction

    from echeances.signals import _Synchronisation

    with django_capture_on_commit_callbacks(execute=True):
        mesure, autre = AccompagnementFactory(), AccompagnementFactory()
    with django_capture_on_commit_callbacks() as rappels, transaction.atomic():
        for _ in range(5):
            EntretienFactory(accompagnement=mesure)
        EntretienFactory(accompagnement=autre)
    [rappel] = rappels
    assert isinstance(rappel, _Synchronisation) and rappel.ids == {mesure.pk, autre.pk}
    rappel()  # run it, so that the next block starts with nothing pending
    with django_capture_on_commit_callbacks() as rappels:
        try:
            with transaction.atomic():
                EntretienFactory(accompagnement=mesure)
                raise RuntimeError
        except RuntimeError:
            pass
    assert rappels == []


def test_une_synchronisation_partielle_ne_ferme_que_les_causes_de_ses_mesures(mesure):
    autre = AccompagnementFactory()
    services.synchroniser_alertes()
    ouvertes = set(Alerte.objects.filter(statut="OUVERTE").values_list("pk", flat=True))
    for alerte in Alerte.objects.filter(accompagnement=autre):  # causes the engine no longer reports
        Alerte.objects.filter(pk=alerte.pk).update(cle=f"CAUSE-DISPARUE:{alerte.pk}")
    services.synchroniser_alertes(accompagnements=[mesure.pk])
    assert Alerte.objects.filter(accompagnement=autre, statut="OUVERTE").exists()  # not its business
    assert set(Alerte.objects.filter(statut="OUVERTE").values_list("pk", flat=True)) == ouvertes


def test_recapitulatif_plafonne_aux_plus_urgentes_et_le_dit(mesure, monkeypatch):
    monkeypatch.setattr(services, "LIGNES_PAR_RECAPITULATIF", 1)
    services.synchroniser_alertes(le=D(2026, 1, 30))
    total = Alerte.objects.ouvertes().pour(mesure.referent).count()
    assert total >= 2
    assert services.preparer_digests(le=D(2026, 1, 30)) == 1
    courriels.envoyer_en_attente()
    corps = mail.outbox[0].body
    premiere = Alerte.objects.ouvertes().pour(mesure.referent).order_by("due_le", "pk").first()
    assert premiere.message in corps and f"/personnes/{mesure.resident_id}/" in corps
    assert f"{total} échéances en tout : les 1 plus urgentes sont ci-dessus." in corps
    assert Digest.objects.get().nb_alertes == total


def test_une_alerte_acquittee_n_est_pas_rouverte_pour_la_meme_cause(mesure):
    # Before: an acknowledged alert whose cause went away was closed, then re-opened « ouverte » when the
    # same cause came back (here, the entretien that met it deleted as a mistake).
    services.synchroniser_alertes(le=D(2026, 1, 21))
    alerte = Alerte.objects.get(regle=Regle.CONTACT)
    services.acquitter(alerte=alerte, par=mesure.referent, commentaire="Appel prévu lundi.", version=alerte.version)
    entretien = EntretienFactory(accompagnement=mesure, date_heure=a_paris(D(2026, 1, 21)))
    services.synchroniser_alertes(le=D(2026, 1, 21))
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.FERMEE
    entretien.delete()
    services.synchroniser_alertes(le=D(2026, 1, 22))
    alerte.refresh_from_db()
    assert (alerte.statut, alerte.commentaire, alerte.fermee_le) == (
        Alerte.Statut.ACQUITTEE,
        "Appel prévu lundi.",
        None,
    )
    assert not Alerte.objects.ouvertes().filter(regle=Regle.CONTACT).exists()


def test_les_liens_du_recapitulatif_sans_reverse_par_ligne(monkeypatch):
    # Before: one reverse() per line of every digest (84,179 calls, half of the morning job).
    from echeances import base

    mesures = [AccompagnementFactory(date_debut=D(2026, 1, 5)) for _ in range(4)]
    services.synchroniser_alertes(le=D(2026, 3, 30))
    appels = []
    reverse = base.reverse
    monkeypatch.setattr(base, "reverse", lambda *a, **k: appels.append(a) or reverse(*a, **k))
    assert services.preparer_digests(le=D(2026, 3, 30)) == 4
    lignes = Alerte.objects.ouvertes().count()
    regles = Alerte.objects.ouvertes().values("regle").distinct().count()
    assert lignes >= 3 * len(mesures) and len(appels) <= 2 * regles
    courriels.envoyer_en_attente()
    for message, m in zip(
        sorted(mail.outbox, key=lambda e: e.to), sorted(mesures, key=lambda m: m.referent.email), strict=True
    ):
        for alerte in Alerte.objects.ouvertes().filter(accompagnement=m):
            assert base.url_de(alerte.regle, accompagnement_id=m.pk, resident_id=m.resident_id) in message.body
