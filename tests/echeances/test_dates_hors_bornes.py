"""A date out of range already in the base (written before the models bounded it, or straight into the
database) never takes down the engine: the dossier, the « À faire » pages and the daily job still answer.
Python's dates stop at 9999-12-31; PostgreSQL's go further, so a due date computed in SQL from such a date
(9999-12-31 + 1 month) could not be read back (« date too large »)."""

import datetime

import pytest
from django.urls import reverse

from contrats.models import Contrat
from echeances import services
from echeances.models import Alerte
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import ResponsableFactory
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import modalite

D = datetime.date
AUJOURDHUI = D(2026, 2, 23)
FIN_DES_TEMPS = D(9999, 12, 31)
AN_UN = D(1, 1, 1)


@pytest.fixture(autouse=True)
def _aujourdhui(voyager):
    voyager(AUJOURDHUI)


def _naissance(acc, jour):
    # Before 1900 the database refuses it (resident_naissance_plausible): only the far end can be stored.
    Resident.objects.filter(pk=acc.resident_id).update(date_naissance=jour)


def _droit_rsa(acc, jour):
    Resident.objects.filter(pk=acc.resident_id).update(date_ouverture_rsa=jour, orientation=None)


def _orientation(acc, jour):
    Resident.objects.filter(pk=acc.resident_id).update(date_orientation=jour, orientation=acc.modalite)


def _contrat(acc, jour):
    contrat = ContratFactory(accompagnement=acc, etat=Contrat.Etat.SIGNE)
    if jour == AN_UN:
        Contrat.objects.filter(pk=contrat.pk).update(date_debut=AN_UN, date_fin=D(1, 6, 1))
    else:
        Contrat.objects.filter(pk=contrat.pk).update(date_fin=jour)


def _soumission(acc, jour):
    contrat = ContratFactory(accompagnement=acc, etat=Contrat.Etat.EN_VALIDATION)
    moment = datetime.datetime.combine(jour, datetime.time(23, 59) if jour == FIN_DES_TEMPS else datetime.time(0))
    Contrat.objects.filter(pk=contrat.pk).update(date_soumission_validation=moment.replace(tzinfo=datetime.UTC))


CAS = [
    ("FJT_REGULIER", _naissance, FIN_DES_TEMPS),
    ("RSA_SOCIOPRO", _naissance, FIN_DES_TEMPS),
    ("RSA_MOBILISATION", _droit_rsa, FIN_DES_TEMPS),
    ("RSA_SOCIOPRO", _droit_rsa, AN_UN),
    ("RSA_SOCIOPRO", _orientation, FIN_DES_TEMPS),
    ("RSA_SOCIOPRO", _orientation, AN_UN),
    ("RSA_SOCIOPRO", _contrat, FIN_DES_TEMPS),
    ("RSA_SOCIOPRO", _contrat, AN_UN),
    ("RSA_SOCIOPRO", _soumission, FIN_DES_TEMPS),
    ("RSA_SOCIOPRO", _soumission, AN_UN),
]


@pytest.mark.parametrize(("code", "abimer", "jour"), CAS, ids=[f"{c}-{f.__name__}-{j.year}" for c, f, j in CAS])
def test_une_date_hors_bornes_ne_fait_pas_tomber_les_pages(client, code, abimer, jour):
    acc = AccompagnementFactory(modalite=modalite(code), date_debut=D(2026, 1, 5))
    voisine = AccompagnementFactory(referent=acc.referent, structure=acc.structure)
    abimer(acc, jour)

    client.force_login(acc.referent)
    assert client.get(reverse("residents:dossier", args=[acc.resident_id])).status_code == 200
    reponse = client.get(reverse("echeances:a_faire"))
    assert reponse.status_code == 200
    # The rest of the caseload is still computed: the neighbour's échéances are listed.
    assert str(voisine.resident) in reponse.content.decode()

    client.force_login(ResponsableFactory(structures=[acc.structure]))
    assert client.get(reverse("echeances:structure")).status_code == 200

    services.synchroniser_alertes(le=AUJOURDHUI)
    assert Alerte.objects.ouvertes().filter(accompagnement_id=voisine.pk).exists()
