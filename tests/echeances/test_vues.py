"""Screens: owner, colleague of the same structure, outsider (404); query counts pinned."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from accompagnement.models import Entretien
from accompagnement.verrou import MESSAGE_CONFLIT
from accounts import acces
from contrats.models import Contrat
from echeances import services
from echeances.models import Alerte, SignalementSanction
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory, ResponsableFactory
from tests.contrats.factories import ContratFactory
from tests.echeances.conftest import a_paris

D = datetime.date
AUJOURDHUI = D(2026, 2, 23)


@pytest.fixture(autouse=True)
def _aujourdhui(voyager):
    voyager(AUJOURDHUI)


@pytest.fixture
def mesure():
    return AccompagnementFactory(date_debut=D(2026, 1, 5))  # no contact: CONTACT overdue


@pytest.fixture
def collegue(mesure):
    return ReferentFactory(structures=[mesure.structure])


def test_a_faire_du_referent(client, mesure, collegue, etranger, django_assert_max_num_queries):
    for user, voit in ((mesure.referent, True), (collegue, False), (etranger, False)):
        client.force_login(user)
        # 31: the first page after the factories reads the référentiel afresh (referentiel_en_vigueur); one
        # query per rule, and two for the RSA parcours of the people seen (echeances.regles_parcours).
        with django_assert_max_num_queries(31):
            response = client.get(reverse("echeances:a_faire"))
        assert response.status_code == 200
        assert (str(mesure.resident) in response.content.decode()) is voit


def test_nombre_de_requetes_independant_du_nombre_de_lignes(client, mesure):
    """The same number of queries for 1 row and 11 (no query per row), within the page's budget."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(mesure.referent)

    def compter():
        services.synchroniser_alertes(le=AUJOURDHUI)
        client.get(reverse("echeances:a_faire"))  # the référentiel re-read after the factories' writes
        with CaptureQueriesContext(connection) as requetes:
            response = client.get(reverse("echeances:a_faire"))
        return len(requetes), response.content.decode().count("Marquer comme pris en compte")

    une_ligne, alertes = compter()
    assert alertes >= 1
    for _ in range(10):
        AccompagnementFactory(referent=mesure.referent, structure=mesure.structure)
    onze_lignes, alertes = compter()
    assert alertes >= 11
    assert onze_lignes == une_ligne <= 27


def test_vue_structure_groupee_par_referent(client, mesure, etranger):
    responsable = ResponsableFactory(structures=[mesure.structure])
    client.force_login(responsable)
    contenu = client.get(reverse("echeances:a_faire")).content.decode()
    assert str(mesure.referent) in contenu and str(mesure.resident) in contenu
    client.force_login(ResponsableFactory(structures=[etranger.structures.first()]))
    assert str(mesure.resident) not in client.get(reverse("echeances:a_faire")).content.decode()


def test_acquitter_proprietaire_collegue_etranger(client, mesure, collegue, etranger):
    services.synchroniser_alertes(le=AUJOURDHUI)
    alerte = Alerte.objects.filter(referent=mesure.referent).first()
    url = reverse("echeances:acquitter", args=[alerte.pk])
    client.force_login(etranger)
    assert client.post(url, {"commentaire": "x", "version": alerte.version}).status_code == 404
    client.force_login(collegue)  # the team's « veille bienveillante »: a colleague may acknowledge
    assert client.post(url, {"commentaire": "", "version": alerte.version}).status_code == 302
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.OUVERTE  # empty comment refused, nothing saved
    client.force_login(mesure.referent)
    response = client.post(url, {"commentaire": "Appel demain.", "version": alerte.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Appel demain." in response.content.decode()
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.ACQUITTEE and alerte.acquittee_par == mesure.referent


def _deux_absences(mesure):
    for jour in (D(2026, 2, 10), D(2026, 2, 17)):
        EntretienFactory(accompagnement=mesure, date_heure=a_paris(jour), statut=Entretien.Statut.ABSENT_NON_EXCUSE)


def test_signalement_proprietaire_collegue_etranger(client, mesure, collegue, etranger):
    _deux_absences(mesure)
    url = reverse("echeances:signalement_nouveau", args=[mesure.pk])
    client.force_login(etranger)
    assert client.get(url).status_code == 404
    client.force_login(collegue)
    assert client.get(url).status_code == 200
    client.force_login(mesure.referent)
    assert client.post(url, {"motif": "court"}).status_code == 400
    assert not SignalementSanction.objects.exists()
    motif = "Deux rendez-vous manqués sans nouvelles malgré deux relances écrites."
    assert client.post(url, {"motif": motif}).status_code == 302
    assert client.post(url, {"motif": motif}).status_code == 302  # double submit
    signalement = SignalementSanction.objects.get()
    assert signalement.absences.count() == 2
    services.synchroniser_alertes(le=AUJOURDHUI)
    assert not Alerte.objects.filter(regle="ABSENCES").exclude(statut="FERMEE").exists()


def test_decision_du_delegue(client, mesure, etranger):
    _deux_absences(mesure)
    signalement = services.creer_signalement(
        accompagnement=mesure, par=mesure.referent, motif="Deux absences sans nouvelles malgré les relances."
    )
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    autre = DelegueFactory()
    url = reverse("echeances:signalement_decider", args=[signalement.pk])
    client.force_login(autre)
    assert client.post(url, {"issue": "AVERTISSEMENT"}).status_code == 404
    client.force_login(mesure.referent)
    assert client.post(url, {"issue": "AVERTISSEMENT"}).status_code == 403
    client.force_login(delegue)
    assert str(mesure.resident) in client.get(reverse("echeances:delegue")).content.decode()
    donnees = {"decider-issue": "SUSPENSION", "decider-le": "2026-02-23", "decider-version": signalement.version}
    # No sanction before the person was heard and the équipe pluridisciplinaire gave its opinion.
    reponse = client.post(url, {**donnees, "decider-taux": 30, "decider-duree_mois": 1, "decider-debut": "2026-03-01"})
    assert reponse.status_code == 400 and "avis de l&#x27;équipe pluridisciplinaire" in reponse.content.decode()
    client.post(url, {**donnees, "decider-issue": "CLASSEMENT", "decider-commentaire": "Reprise du contact."})
    signalement.refresh_from_db()
    assert (signalement.issue, signalement.issue_par, signalement.etape) == ("CLASSEMENT", delegue, "CLOS")


def test_vue_delegue_validations_du_territoire(client, mesure):
    ContratFactory(
        accompagnement=mesure, etat=Contrat.Etat.EN_VALIDATION, date_soumission_validation=a_paris(D(2026, 2, 1))
    )
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    client.force_login(delegue)
    assert "en attente de validation" in client.get(reverse("echeances:delegue")).content.decode()
    client.force_login(DelegueFactory())
    assert str(mesure.resident) not in client.get(reverse("echeances:delegue")).content.decode()
    client.force_login(mesure.referent)
    assert client.get(reverse("echeances:delegue")).status_code == 404


def test_badge_de_navigation(mesure):
    from echeances.templatetags.echeances_tags import nb_a_faire

    services.synchroniser_alertes(le=AUJOURDHUI)
    assert (
        nb_a_faire(mesure.referent) == Alerte.objects.filter(destinataires__contains=[mesure.referent.pk]).count() > 0
    )


def test_un_delegue_qui_voit_l_alerte_ne_la_fait_pas_taire(client, mesure):
    """The délégué sees the territory's RSA alerts but must not acknowledge a référent's contact alert."""
    services.synchroniser_alertes(le=AUJOURDHUI)
    alerte = Alerte.objects.get(regle="CONTACT", accompagnement=mesure)
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    assert Alerte.objects.visibles_par(delegue).filter(pk=alerte.pk).exists()
    client.force_login(delegue)
    reponse = client.post(
        reverse("echeances:acquitter", args=[alerte.pk]), {"commentaire": "vu", "version": alerte.version}, follow=True
    )
    assert "Seuls les destinataires" in reponse.content.decode()
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.OUVERTE
    assert not acces.peut_acquitter(delegue, alerte)
    assert acces.peut_acquitter(ResponsableFactory(structures=[mesure.structure]), alerte)


def test_version_trafiquee_message_clair(client, mesure):
    services.synchroniser_alertes(le=AUJOURDHUI)
    alerte = Alerte.objects.get(regle="CONTACT", accompagnement=mesure)
    client.force_login(mesure.referent)
    reponse = client.post(
        reverse("echeances:acquitter", args=[alerte.pk]), {"commentaire": "vu", "version": "abc"}, follow=True
    )
    assert reponse.status_code == 200 and escape(MESSAGE_CONFLIT) in reponse.content.decode()


def test_un_formulaire_sans_version_est_un_conflit(client, mesure):
    """The one lock (accompagnement.verrou): a form without its version is stale or tampered, never skipped."""
    services.synchroniser_alertes(le=AUJOURDHUI)
    alerte = Alerte.objects.get(regle="CONTACT", accompagnement=mesure)
    client.force_login(mesure.referent)
    reponse = client.post(reverse("echeances:acquitter", args=[alerte.pk]), {"commentaire": "vu"}, follow=True)
    assert reponse.status_code == 200 and escape(MESSAGE_CONFLIT) in reponse.content.decode()
    alerte.refresh_from_db()
    assert alerte.statut == Alerte.Statut.OUVERTE


def test_structure_montre_chaque_referent_et_sa_file_active_contre_la_norme(client, mesure):
    """Every référent of the structure is listed with their weighted caseload against their ETP and the
    detail per modality, even with nothing due."""
    tranquille = ReferentFactory(structures=[mesure.structure], etp=Decimal("0.50"))
    autre = AccompagnementFactory(referent=tranquille, structure=mesure.structure, date_debut=AUJOURDHUI)
    EntretienFactory(accompagnement=autre, date_heure=a_paris(AUJOURDHUI))
    ContratFactory(accompagnement=autre, etat=Contrat.Etat.VALIDE, date_debut=AUJOURDHUI, date_fin=D(2026, 8, 23))
    client.force_login(ResponsableFactory(structures=[mesure.structure]))
    contenu = client.get(reverse("echeances:a_faire")).content.decode()
    assert str(tranquille) in contenu
    assert "Rien de bientôt dû ni en retard." in contenu
    assert "File active pondérée : <strong>0,01 ETP pour 0,50 ETP</strong>" in contenu
    # socioprofessionnel: 1 measure for a norm of 70 = 0.014 ETP
    assert '<td class="text-end">1</td><td class="text-end">70</td><td class="text-end">0,01</td>' in contenu


def test_administrateur_choisit_une_structure(client, mesure, etranger):
    from tests.accounts.factories import AdministrateurFactory

    client.force_login(AdministrateurFactory())
    contenu = client.get(reverse("echeances:a_faire")).content.decode()
    assert "Choisissez une structure" in contenu and str(mesure.resident) not in contenu
    contenu = client.get(reverse("echeances:a_faire"), {"structure": mesure.structure_id}).content.decode()
    assert str(mesure.resident) in contenu
    assert client.get(reverse("echeances:a_faire"), {"structure": "²"}).status_code == 200


def test_signalement_previent_le_delegue_sans_nommer_la_personne(mesure, django_capture_on_commit_callbacks):
    from django.core import mail

    from courriels import services as courriels

    # A surname no generated user can carry, so that finding it means the person was named.
    Resident.objects.filter(pk=mesure.resident_id).update(nom="Quennehen-Vasseur")
    mesure.resident.refresh_from_db()
    _deux_absences(mesure)
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    DelegueFactory()  # another territory: not told
    with django_capture_on_commit_callbacks(execute=True):
        services.creer_signalement(accompagnement=mesure, par=mesure.referent, motif="Deux absences sans nouvelles.")
    assert courriels.envoyer_en_attente() == 1  # recorded with the report, sent by a worker after the commit
    [message] = mail.outbox
    assert message.to == [delegue.email]
    assert mesure.resident.nom not in message.subject + message.body
    assert f"/echeances/signalements/{SignalementSanction.objects.get().pk}/" in message.body


def test_signalements_montrent_les_absences_jointes(client, mesure):
    _deux_absences(mesure)
    services.creer_signalement(accompagnement=mesure, par=mesure.referent, motif="Deux absences sans nouvelles.")
    client.force_login(DelegueFactory(territoires=[mesure.structure.territoire]))
    signalement = SignalementSanction.objects.get()
    contenu = client.get(reverse("echeances:signalement", args=[signalement.pk])).content.decode()
    assert "10/02/2026 à 10:00" in contenu and "17/02/2026 à 10:00" in contenu
