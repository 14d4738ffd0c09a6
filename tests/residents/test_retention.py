"""Retention: anonymised after CONSERVATION_DOSSIER without contact (2 years − 1 day kept, + 1 day gone)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Entretien
from residents import retention
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import ResponsableFactory

LE = datetime.date(2030, 6, 15)


def mesure_terminee(dernier_contact):
    mesure = AccompagnementFactory(
        date_debut=dernier_contact - datetime.timedelta(days=100), date_fin=dernier_contact, motif_fin="AUTRE"
    )
    mesure.resident.date_creation = timezone.make_aware(datetime.datetime(2020, 1, 1))
    mesure.resident.telephone = "06 00 00 00 00"
    mesure.resident.save()
    EntretienFactory(
        accompagnement=mesure,
        date_heure=timezone.make_aware(datetime.datetime.combine(dernier_contact, datetime.time(10))),
        notes="Ce que la personne a confié",
    )
    return mesure


@pytest.mark.parametrize(
    ("ecart", "anonymise"), [(relativedelta(years=2, days=-1), False), (relativedelta(years=2, days=1), True)]
)
def test_anonymisation_a_deux_ans(ecart, anonymise):
    mesure = mesure_terminee(LE - ecart)
    assert [r.pk for r in retention.candidats(le=LE)] == ([mesure.resident_id] if anonymise else [])
    retention.appliquer(le=LE)
    resident = Resident.objects.get(pk=mesure.resident_id)
    entretien = Entretien.objects.get(accompagnement=mesure)
    if anonymise:
        assert resident.nom == "Anonyme" and resident.telephone == "" and resident.anonymise_le == LE
        assert entretien.notes == ""
        # history tables too
        assert not Resident.history.filter(id=resident.pk, telephone="06 00 00 00 00").exists()
        assert not Entretien.history.filter(id=entretien.pk).exclude(notes="").exists()
    else:
        assert resident.nom != "Anonyme" and entretien.notes == "Ce que la personne a confié"
    # idempotent
    assert retention.appliquer(le=LE) == []


def test_une_mesure_ouverte_n_est_jamais_anonymisee():
    mesure = mesure_terminee(LE - relativedelta(years=3))
    mesure.date_fin = None
    mesure.motif_fin = ""
    mesure.save()
    assert retention.candidats(le=LE) == []


def test_archiver_avec_motif_retire_des_listes_et_du_traitement(client):
    mesure = mesure_terminee(LE - relativedelta(years=3))
    responsable = ResponsableFactory(structures=[mesure.structure])
    with __import__("time_machine").travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(responsable)
        html = client.get(reverse("residents:retention")).content.decode()
        assert str(mesure.resident) in html
        assert client.post(reverse("residents:archiver", args=[mesure.resident_id]), {"motif": ""}).status_code == 302
        assert Resident.objects.get(pk=mesure.resident_id).archive_le is None
        client.post(reverse("residents:archiver", args=[mesure.resident_id]), {"motif": "contentieux en cours"})
        resident = Resident.objects.get(pk=mesure.resident_id)
        assert resident.archive_le is not None and resident.motif_archivage == "contentieux en cours"
        assert not Resident.objects.visibles_par(mesure.referent).filter(pk=resident.pk).exists()
        assert retention.appliquer() == []
        client.force_login(mesure.referent)
        assert client.get(reverse("residents:droits", args=[resident.pk])).status_code == 404


def test_le_rapport_est_reserve_au_responsable(client):
    mesure = mesure_terminee(LE - relativedelta(years=3))
    client.force_login(mesure.referent)
    assert client.get(reverse("residents:retention")).status_code == 404
    with __import__("time_machine").travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(ResponsableFactory())
        assert str(mesure.resident) not in client.get(reverse("residents:retention")).content.decode()
