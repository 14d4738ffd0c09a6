import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from accompagnement.ics import echapper, plier
from accounts.models import User
from residents.models import Resident
from tests.accompagnement.factories import EntretienFactory


def test_echappement_et_pliage_rfc5545():
    assert echapper("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    ligne = "SUMMARY:" + "é" * 80
    plie = plier(ligne)
    assert all(len(morceau.encode("utf-8")) <= 75 for morceau in plie.split("\r\n "))
    assert plie.replace("\r\n ", "") == ligne


def test_flux_personnel_sans_notes_et_sans_connexion(client, mesure, referent, collegue):
    referent.jeton_calendrier = uuid.uuid4()
    referent.save()
    # A surname no generated user can carry, so that finding it means the person was named.
    Resident.objects.filter(pk=mesure.resident_id).update(nom="Quennehen-Vasseur")
    mesure.resident.refresh_from_db()
    a_moi = EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        date_heure=timezone.now() + datetime.timedelta(days=1),
        lieu="Bureau 3",
        notes="Secret médical",
    )
    EntretienFactory(statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(days=1))
    reponse = client.get(reverse("accompagnement:calendrier", args=[referent.jeton_calendrier]))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/calendar")
    assert contenu.count("BEGIN:VEVENT") == 1 and f"UID:rdv-{a_moi.pk}@" in contenu
    assert "Secret" not in contenu and mesure.resident.nom not in contenu
    assert "\r\n" in contenu and "LOCATION:Bureau 3" in contenu


def test_jeton_inconnu_404_et_regeneration(client, referent):
    assert client.get(reverse("accompagnement:calendrier", args=[uuid.uuid4()])).status_code == 404
    client.force_login(referent)
    client.post(reverse("accompagnement:calendrier_regenerer"))
    premier = User.objects.get(pk=referent.pk).jeton_calendrier
    client.post(reverse("accompagnement:calendrier_regenerer"))
    second = User.objects.get(pk=referent.pk).jeton_calendrier
    assert premier and second and premier != second
    client.logout()
    assert client.get(reverse("accompagnement:calendrier", args=[premier])).status_code == 404
    assert client.get(reverse("accompagnement:calendrier", args=[second])).status_code == 200


def test_flux_seulement_les_mesures_encore_visibles(client, mesure, referent, structure):
    from residents.models import Resident

    referent.jeton_calendrier = uuid.uuid4()
    referent.save()
    EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(days=1))
    url = reverse("accompagnement:calendrier", args=[referent.jeton_calendrier])
    assert client.get(url).content.decode().count("BEGIN:VEVENT") == 1
    # The file was archived (retention): the person leaves everyone's daily view, the calendar too.
    Resident.objects.filter(pk=mesure.resident_id).update(archive_le=timezone.localdate())
    assert client.get(url).content.decode().count("BEGIN:VEVENT") == 0
    # Likewise once the référent has left the structure.
    Resident.objects.filter(pk=mesure.resident_id).update(archive_le=None)
    referent.structures.remove(structure)
    assert client.get(url).content.decode().count("BEGIN:VEVENT") == 0
