"""« Now » in the forms is the server's clock in the structure's time zone; closing a rendez-vous asks
for its outcome, none chosen beforehand."""

import datetime
import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from accompagnement.forms import ClotureRendezVousForm, EntretienForm, ModificationEntretienForm, RendezVousForm
from accompagnement.models import Entretien
from tests.accompagnement.factories import EntretienFactory

# 8:47 UTC is 9:47 in Paris in winter: a browser on UTC would have said 8:47.
INSTANT = datetime.datetime(2026, 12, 2, 8, 47, 31, tzinfo=datetime.UTC)


def attribut(html, nom):
    return re.search(rf'{nom}="([^"]*)"', html).group(1)


def test_entretien_maintenant_du_serveur_a_l_heure_de_paris(mesure, referent):
    with time_machine.travel(INSTANT, tick=False):
        champ = str(EntretienForm(accompagnement=mesure, user=referent)["date_heure"])
    assert attribut(champ, "value") == "2026-12-02T09:47"
    assert attribut(champ, "data-maintenant") == "2026-12-02T09:47"
    assert attribut(champ, "data-fuseau") == "Europe/Paris"
    assert int(attribut(champ, "data-horloge")) == int(INSTANT.timestamp() * 1000)


def test_l_heure_d_ete_aussi(mesure, referent):
    with time_machine.travel(datetime.datetime(2026, 7, 1, 8, 5, tzinfo=datetime.UTC), tick=False):
        champ = str(EntretienForm(accompagnement=mesure, user=referent)["date_heure"])
    assert attribut(champ, "value") == "2026-07-01T10:05"


def test_rendez_vous_propose_l_heure_pleine_suivante(mesure, referent):
    with time_machine.travel(INSTANT, tick=False):
        champ = str(RendezVousForm()["date_heure"])
    assert attribut(champ, "value") == "2026-12-02T10:00"
    # A planned date is the user's: app.js leaves it alone.
    assert "data-maintenant" not in champ


def test_une_correction_garde_la_date_de_l_entretien(mesure, referent):
    entretien = EntretienFactory(accompagnement=mesure, date_heure=INSTANT - datetime.timedelta(days=2))
    with time_machine.travel(INSTANT, tick=False):
        champ = str(ModificationEntretienForm(entretien=entretien, user=referent)["date_heure"])
    assert "data-maintenant" not in champ
    assert attribut(champ, "value") == "2026-11-30T09:47"


def _rdv_passe(mesure):
    return EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() - datetime.timedelta(hours=1)
    )


def test_aucune_issue_preselectionnee(mesure, referent):
    champ = str(ClotureRendezVousForm(entretien=_rdv_passe(mesure), user=referent)["statut"])
    assert "selected" not in champ.replace('value="" selected', "")
    assert re.search(r'<option value=""[^>]*selected', champ)


def test_cloturer_sans_choisir_l_issue_message_francais(client, mesure, referent):
    rdv = _rdv_passe(mesure)
    client.force_login(referent)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = client.post(url, {"version": rdv.version, "notes": "Venue."})
    assert reponse.status_code == 200
    assert "Choisissez l&#x27;issue du rendez-vous" in reponse.content.decode()
    rdv.refresh_from_db()
    assert rdv.statut == Entretien.Statut.PLANIFIE
    assert client.post(url, {"version": rdv.version, "statut": "HONORE"}).status_code == 302
