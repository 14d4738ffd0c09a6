"""The access log: written for each kind of access, append-only in the database, purged after its period."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone

from journal.models import Action, JournalAcces
from journal.services import purger
from residents.droits import enregistrer_demande_acces
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import AdministrateurFactory, ReferentFactory, ResponsableFactory
from tests.residents.factories import ResidentFactory


@pytest.fixture
def mesure():
    return AccompagnementFactory()


def test_consulter_un_dossier_est_trace(client, mesure):
    client.force_login(mesure.referent)
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 200
    ligne = JournalAcces.objects.get()
    assert ligne.action == Action.CONSULTATION
    assert ligne.resident_id == mesure.resident_id
    assert ligne.user_id == mesure.referent.pk
    assert ligne.role == "REFERENT"
    assert ligne.structures == [mesure.structure_id]
    assert ligne.page == "residents:droits"


def test_une_modification_est_tracee_avec_la_personne(client, mesure):
    rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE")
    client.force_login(mesure.referent)
    client.post(reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk]), {"statut": "ABSENT_EXCUSE"})
    lignes = JournalAcces.objects.filter(page="accompagnement:rendez_vous_cloturer")
    assert lignes.count() == 1
    assert lignes.get().resident_id == mesure.resident_id
    assert lignes.get().type_objet == "entretien"


def test_un_export_droit_d_acces_est_trace(client, mesure):
    responsable = ResponsableFactory(structures=[mesure.structure])
    enregistrer_demande_acces(resident=mesure.resident, par=responsable)
    client.force_login(responsable)
    response = client.get(reverse("residents:droit_acces_zip", args=[mesure.resident_id]))
    assert response.status_code == 200
    ligne = JournalAcces.objects.get()
    assert (ligne.action, ligne.resident_id, ligne.user_id) == (Action.EXPORT, mesure.resident_id, responsable.pk)


def test_un_acces_refuse_n_est_pas_trace_comme_consultation(client, mesure):
    client.force_login(ReferentFactory())
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 404
    assert not JournalAcces.objects.exists()


def test_le_journal_ne_peut_etre_ni_modifie_ni_supprime(mesure, client):
    client.force_login(mesure.referent)
    client.get(reverse("residents:droits", args=[mesure.resident_id]))
    ligne = JournalAcces.objects.get()
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        JournalAcces.objects.filter(pk=ligne.pk).update(action=Action.EXPORT)
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        JournalAcces.objects.filter(pk=ligne.pk).delete()
    assert JournalAcces.objects.get().action == Action.CONSULTATION


def _ligne(horodatage, user):
    return JournalAcces.objects.create(
        horodatage=horodatage, user=user, identifiant=user.username, role=user.role, action=Action.CONSULTATION
    )


def test_la_purge_retire_ce_qui_a_plus_de_douze_mois_et_rien_d_autre():
    user = ReferentFactory()
    maintenant = timezone.now()
    vieille = _ligne(maintenant - datetime.timedelta(days=370), user)
    limite_moins = _ligne(maintenant - datetime.timedelta(days=364), user)
    recente = _ligne(maintenant, user)
    assert purger(le=maintenant) == 1
    assert set(JournalAcces.objects.values_list("pk", flat=True)) == {limite_moins.pk, recente.pk}
    assert not JournalAcces.objects.filter(pk=vieille.pk).exists()
    # outside the purge, deleting is refused again
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        JournalAcces.objects.filter(pk=recente.pk).delete()


def test_la_purge_suit_le_referentiel():
    from referentiel.models import Parametre

    Parametre.objects.filter(code="CONSERVATION_JOURNAL", territoire__isnull=True, departement__isnull=True).update(
        valeur="P6M"
    )
    user = ReferentFactory()
    maintenant = timezone.now()
    _ligne(maintenant - datetime.timedelta(days=200), user)
    assert purger(le=maintenant) == 1


def test_qui_a_consulte_ce_dossier(client, mesure):
    responsable = ResponsableFactory(structures=[mesure.structure])
    client.force_login(mesure.referent)
    client.get(reverse("residents:droits", args=[mesure.resident_id]))
    assert client.get(reverse("residents:journal", args=[mesure.resident_id])).status_code == 403
    client.force_login(responsable)
    html = client.get(reverse("residents:journal", args=[mesure.resident_id])).content.decode()
    assert mesure.referent.username in html
    client.force_login(AdministrateurFactory())
    assert client.get(reverse("residents:journal", args=[mesure.resident_id])).status_code == 200
    client.force_login(ResponsableFactory())
    assert client.get(reverse("residents:journal", args=[mesure.resident_id])).status_code == 404


def test_l_admin_ne_permet_pas_de_modifier_le_journal():
    from django.contrib import admin
    from django.test import RequestFactory

    modele_admin = admin.site._registry[JournalAcces]
    requete = RequestFactory().get("/")
    requete.user = AdministrateurFactory()
    assert not modele_admin.has_change_permission(requete)
    assert not modele_admin.has_delete_permission(requete)
    assert not modele_admin.has_add_permission(requete)
    assert ResidentFactory  # the factory module imports cleanly (used by other journal tests)


def test_les_pages_des_admissions_sont_tracees(client):
    """Application, follow-up with the partners, and the two PDFs (printed) name the person."""
    from admissions import services
    from tests.admissions.factories import E, Residence, avancer, jour

    r = Residence()
    c = avancer(r, r.candidature(), E.ENTREE)
    m = c.accompagnement
    s = services.planifier_synthese(accompagnement=m, par=r.referent, contact=r.contact, date_prevue=jour(0))
    client.force_login(r.referent)
    assert client.get(reverse("admissions:candidature", args=[c.pk])).status_code == 200
    assert client.get(reverse("admissions:suivi", args=[m.pk])).status_code == 200
    reponse = client.post(
        reverse("admissions:synthese_tenir", args=[s.pk]),
        {"version": s.version, "tenue_le": jour(0), "participants": "", "bilan": "Avance."},
    )
    assert reponse.status_code == 302
    services.enregistrer_sortie(
        accompagnement=m,
        par=r.referent,
        version=m.version,
        date_sortie=jour(0),
        motif_fin="OBJECTIFS_ATTEINTS",
        destination="FAMILLE",
        repreneur="Famille",
        date_relais=jour(0),
    )
    assert client.get(reverse("admissions:sortie_pdf", args=[m.pk])).status_code == 200
    lignes = {(ligne.page, ligne.action, ligne.type_objet, ligne.resident_id) for ligne in JournalAcces.objects.all()}
    assert lignes == {
        ("admissions:candidature", Action.CONSULTATION, "candidature", r.jeune.pk),
        ("admissions:suivi", Action.CONSULTATION, "accompagnement", r.jeune.pk),
        ("admissions:synthese_tenir", Action.MODIFICATION, "synthese", r.jeune.pk),
        ("admissions:sortie_pdf", Action.IMPRESSION, "accompagnement", r.jeune.pk),
    }


@pytest.mark.parametrize(
    ("proxys", "transmis", "attendu"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # nothing in front of gunicorn: the header is the client's own word
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # a forged left part is ignored
        (2, "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # fewer entries than proxies: not believed
        (1, "pas-une-adresse", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_adresse_du_client_derriere_les_proxys(rf, settings, proxys, transmis, attendu):
    from axes.helpers import get_client_ip_address

    from journal.services import adresse_client

    settings.REVERSE_PROXY_COUNT = proxys
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=transmis)
    assert adresse_client(request) == attendu
    # django-axes locks out by the same address.
    assert get_client_ip_address(request) == attendu


def test_le_journal_note_l_adresse_du_client_derriere_le_proxy(client, mesure, settings):
    settings.REVERSE_PROXY_COUNT = 1
    client.force_login(mesure.referent)
    client.get(
        reverse("residents:droits", args=[mesure.resident_id]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert JournalAcces.objects.get().ip == "203.0.113.7"


def test_un_export_immediat_est_trace(client, mesure):
    """Below the background threshold the export is answered by its request: no download page logs it."""
    client.force_login(mesure.referent)
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "mesures", "format": "csv"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    ligne = JournalAcces.objects.get(action=Action.EXPORT)
    assert (ligne.user_id, ligne.type_objet, ligne.page) == (mesure.referent.pk, "export", "pilotage:demander_export")
    assert ligne.detail.endswith("lignes)") and ".csv" in ligne.detail


def test_la_page_d_un_atelier_est_tracee(client, mesure):
    from tests.accompagnement.factories import ActionCollectiveFactory, ParticipationFactory

    atelier = ActionCollectiveFactory(structure=mesure.structure)
    ParticipationFactory(action=atelier, resident=mesure.resident)
    client.force_login(mesure.referent)
    assert client.get(reverse("accompagnement:atelier", args=[atelier.pk])).status_code == 200
    ligne = JournalAcces.objects.get()
    assert (ligne.action, ligne.type_objet, ligne.objet_id) == (Action.CONSULTATION, "actioncollective", atelier.pk)
    assert ligne.resident_id is None  # a page about several people


# serialized_rollback, as every transactional test here: its flush would otherwise leave content types
# recreated under new ids, and the next test restoring the serialized base collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_une_lecture_est_tracee_sans_attendre_le_disque_une_modification_si(client):
    """The line of a page read is committed with synchronous_commit off (its own transaction); a change's
    line waits for the disk as before. Both are written, with their action."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mesure = AccompagnementFactory()
    rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE")
    client.force_login(mesure.referent)
    with CaptureQueriesContext(connection) as lecture:
        assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 200
    sql = [q["sql"] for q in lecture.captured_queries]
    insertion = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "journal_journalacces"'))
    assert sql[insertion - 1] == "SET LOCAL synchronous_commit TO OFF"
    with CaptureQueriesContext(connection) as modification:
        donnees = {"statut": "ABSENT_EXCUSE", "version": rdv.version}
        reponse = client.post(reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk]), donnees)
    assert reponse.status_code == 302
    assert not any("synchronous_commit" in q["sql"] for q in modification.captured_queries)
    assert list(JournalAcces.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.CONSULTATION,
        Action.MODIFICATION,
    ]
