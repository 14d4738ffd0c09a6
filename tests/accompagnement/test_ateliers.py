"""Workshops: the participant picker's search keys, editing and cancelling (the team only), the
référentiel's cadence on the list."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accompagnement.models import ActionCollective, Participation
from accompagnement.verrou import MESSAGE_CONFLIT
from referentiel.models import Parametre
from tests.accompagnement.factories import AccompagnementFactory, ActionCollectiveFactory, ParticipationFactory
from tests.accounts.factories import DelegueFactory, PartenaireFactory, ReferentFactory
from tests.residents.factories import ResidentFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def connecte(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def atelier(structure):
    action = ActionCollectiveFactory(
        structure=structure, theme="Budget", date_heure=timezone.now() - datetime.timedelta(days=2)
    )
    for _ in range(3):
        ParticipationFactory(action=action, resident=ResidentFactory(structure=structure))
    return action


def donnees(action, **extra):
    return {
        "theme": action.theme,
        "date_heure": timezone.localtime(action.date_heure).strftime("%Y-%m-%dT%H:%M"),
        "duree_minutes": "120",
        "residents": [p.resident_id for p in action.participations.all()],
        "version": action.version,
        **extra,
    }


# --- the picker ----------------------------------------------------------------------------------------


def test_chaque_case_porte_sa_cle_de_recherche_sans_accents(client, referent, structure):
    ResidentFactory(structure=structure, nom="Lefèvre-Martin", prenom="Élodie")
    contenu = connecte(client, referent).get(reverse("accompagnement:atelier_nouveau")).content.decode()
    assert 'data-cle="elodie lefevre martin"' in contenu
    assert 'data-filtre="Filtrer les personnes' in contenu


# --- editing -------------------------------------------------------------------------------------------


def test_modifier_la_date_et_les_participants(client, referent, atelier, structure):
    nouvelle = ResidentFactory(structure=structure)
    retiree = atelier.participations.first().resident
    gardees = [p.resident_id for p in atelier.participations.exclude(resident=retiree)]
    veille = timezone.localtime(atelier.date_heure - datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    reponse = connecte(client, referent).post(
        reverse("accompagnement:atelier_modifier", args=[atelier.pk]),
        donnees(
            atelier,
            theme="Budget et logement",
            date_heure=veille.strftime("%Y-%m-%dT%H:%M"),
            residents=[*gardees, nouvelle.pk],
        ),
    )
    assert reponse.status_code == 302
    atelier.refresh_from_db()
    assert (atelier.theme, atelier.date_heure, atelier.version) == ("Budget et logement", veille, 2)
    assert set(atelier.participations.values_list("resident_id", flat=True)) == {*gardees, nouvelle.pk}
    # The removed participation stays in the history.
    assert Participation.history.filter(resident_id=retiree.pk, history_type="-").exists()


def test_modifier_garde_les_participants_que_l_on_ne_voit_pas(client, collegue, atelier):
    # A person co-referred from another structure took part: the colleague cannot see her.
    ailleurs = AccompagnementFactory(referent=ReferentFactory()).resident
    ParticipationFactory(action=atelier, resident=ailleurs)
    visibles = [p.resident_id for p in atelier.participations.exclude(resident=ailleurs)]
    reponse = connecte(client, collegue).post(
        reverse("accompagnement:atelier_modifier", args=[atelier.pk]), donnees(atelier, residents=visibles[:1])
    )
    assert reponse.status_code == 302
    assert set(atelier.participations.values_list("resident_id", flat=True)) == {visibles[0], ailleurs.pk}


def test_modifier_etranger_404_delegue_403_partenaire_404(client, atelier, etranger):
    url = reverse("accompagnement:atelier_modifier", args=[atelier.pk])
    assert connecte(client, etranger).get(url).status_code == 404
    assert client.post(url, donnees(atelier, theme="Piraté")).status_code == 404
    delegue = DelegueFactory(territoires=[atelier.structure.territoire])
    assert connecte(client, delegue).get(url).status_code == 403
    assert connecte(client, PartenaireFactory()).get(url).status_code == 404
    atelier.refresh_from_db()
    assert atelier.theme == "Budget"


def test_modifier_date_future_et_conflit_messages_francais(client, referent, atelier):
    url = reverse("accompagnement:atelier_modifier", args=[atelier.pk])
    demain = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    reponse = connecte(client, referent).post(url, donnees(atelier, date_heure=demain))
    assert reponse.status_code == 200 and "ne peut pas être dans le futur" in reponse.content.decode()
    reponse = client.post(url, donnees(atelier, version=0))
    assert escape(MESSAGE_CONFLIT) in reponse.content.decode()
    reponse = client.post(url, donnees(atelier, residents=[]))
    assert reponse.status_code == 200 and "Ce champ est obligatoire" in reponse.content.decode()


# --- cancelling ----------------------------------------------------------------------------------------


def test_annuler_avec_un_motif(client, collegue, atelier):
    url = reverse("accompagnement:atelier_annuler", args=[atelier.pk])
    page = connecte(client, collegue).get(url).content.decode()
    assert "data-confirm=" in page and "3 participations seront retirées" in page
    reponse = client.post(url, {"version": atelier.version, "motif": "  "})
    assert "Indiquez le motif de l&#x27;annulation." in reponse.content.decode()
    reponse = client.post(url, {"version": atelier.version, "motif": "Salle indisponible."})
    assert reponse.status_code == 302
    atelier.refresh_from_db()
    assert atelier.est_annulee and atelier.annulee_par == collegue
    assert atelier.motif_annulation == "Salle indisponible."
    assert not atelier.participations.exists()
    assert Participation.history.filter(action_id=atelier.pk, history_type="-").count() == 3
    detail = client.get(reverse("accompagnement:atelier", args=[atelier.pk])).content.decode()
    assert "Salle indisponible." in detail and "Modifier l&#x27;atelier" not in detail
    # Cancelled, it is neither edited nor cancelled again.
    assert client.get(reverse("accompagnement:atelier_modifier", args=[atelier.pk])).status_code == 302
    assert client.post(url, {"version": atelier.version, "motif": "Encore"}).status_code == 302


def test_annuler_etranger_404_delegue_403(client, atelier, etranger):
    url = reverse("accompagnement:atelier_annuler", args=[atelier.pk])
    assert connecte(client, etranger).post(url, {"version": 1, "motif": "x"}).status_code == 404
    delegue = DelegueFactory(territoires=[atelier.structure.territoire])
    assert connecte(client, delegue).post(url, {"version": 1, "motif": "x"}).status_code == 403
    atelier.refresh_from_db()
    assert not atelier.est_annulee and atelier.participations.count() == 3


# --- the cadence ---------------------------------------------------------------------------------------


def test_la_cadence_du_mois_lue_dans_le_referentiel(client, referent, structure):
    with time_machine.travel(datetime.datetime(2026, 12, 15, 10, tzinfo=PARIS), tick=False):
        tenu = ActionCollectiveFactory(structure=structure, date_heure=timezone.now() - datetime.timedelta(days=3))
        for _ in range(4):
            ParticipationFactory(action=tenu, resident=ResidentFactory(structure=structure))
        annule = ActionCollectiveFactory(structure=structure, date_heure=timezone.now() - datetime.timedelta(days=1))
        ActionCollective.objects.filter(pk=annule.pk).update(annulee_le=timezone.now(), motif_annulation="Neige")
        ActionCollectiveFactory(structure=structure, date_heure=datetime.datetime(2026, 11, 28, 10, tzinfo=PARIS))
        ActionCollectiveFactory(date_heure=timezone.now())  # another structure's
        url = reverse("accompagnement:ateliers")
        contenu = connecte(client, referent).get(url).content.decode()
        assert "1 atelier sur 2 à 3 attendus ;" in contenu
        assert "4 participants en moyenne, 5 à 6 attendus." in contenu
        Parametre.objects.filter(code="ATELIERS_PAR_MOIS_MAX").update(valeur="4")
        Parametre.objects.filter(code="ATELIER_PARTICIPANTS_MAX").update(valeur="8")
        contenu = client.get(url).content.decode()
        assert "1 atelier sur 2 à 4 attendus ;" in contenu and "5 à 8 attendus." in contenu
