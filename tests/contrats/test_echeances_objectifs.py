"""An objective's deadline lies within its contract's period [début, fin]: refused in French in the
objective form of the draft, in the draft's own form (the objectives it keeps) and by the service."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contrats import services
from contrats.forms import BrouillonForm, NouvelObjectifForm

from .conftest import brouillon

HORS_PERIODE = "hors de la période du contrat (du 05/01/2026 au 05/07/2026)"


@pytest.fixture
def cer(referent):
    return brouillon(referent)


def _donnees_objectif(echeance):
    return {"objectif-domaine": "LOGEMENT", "objectif-libelle": "Déposer une demande", "objectif-echeance": echeance}


@pytest.mark.parametrize(
    ("echeance", "valide"),
    [("2026-01-04", False), ("2026-01-05", True), ("2026-07-05", True), ("2026-07-06", False), ("", True)],
)
def test_le_formulaire_d_objectif_borne_l_echeance_au_contrat(cer, echeance, valide):
    form = NouvelObjectifForm(_donnees_objectif(echeance), prefix="objectif", contrat=cer)
    assert form.is_valid() is valide
    if not valide:
        assert HORS_PERIODE in form.errors["echeance"][0]


def test_la_vue_refuse_l_objectif_hors_periode_en_francais(client, cer, referent, collegue, etranger):
    url = reverse("contrats:ajouter_objectif", kwargs={"pk": cer.pk})
    donnees = _donnees_objectif("2027-01-01")
    client.force_login(etranger)
    assert client.post(url, donnees).status_code == 404
    client.force_login(collegue)
    assert client.post(url, _donnees_objectif("2026-03-01")).status_code == 403
    client.force_login(referent)
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert any("L'objectif n'a pas été ajouté" in m and HORS_PERIODE in m for m in messages), messages
    assert not cer.objectifs.filter(libelle="Déposer une demande").exists()
    client.post(url, _donnees_objectif("2026-03-01"))
    assert cer.objectifs.filter(libelle="Déposer une demande", echeance=datetime.date(2026, 3, 1)).exists()


def test_le_brouillon_refuse_un_objectif_dont_l_echeance_sort_des_dates(client, cer, referent):
    objectif = cer.objectifs.get()
    objectif.echeance = datetime.date(2026, 6, 30)
    objectif.save()
    donnees = {
        "version": cer.version,
        "date_debut": "2026-01-05",
        "date_fin": "2026-06-01",  # shortened: the deadline now falls after the end
        "engagements_personne": "Venir aux rendez-vous.",
        "engagements_structure": "Recevoir la personne.",
        "objectifs": [objectif.pk],
    }
    form = BrouillonForm(donnees, instance=cer)
    assert not form.is_valid()
    assert "Trouver un stage" in form.errors["objectifs"][0] and "hors de la période" in form.errors["objectifs"][0]
    client.force_login(referent)
    reponse = client.post(reverse("contrats:modifier", kwargs={"pk": cer.pk}), donnees)
    assert reponse.status_code == 200 and "hors de la période du contrat" in reponse.content.decode()
    cer.refresh_from_db()
    assert cer.date_fin == datetime.date(2026, 7, 5)


def test_le_service_refuse_aussi_l_echeance_hors_periode(cer, referent):
    with pytest.raises(ValidationError, match="dans la période du contrat"):
        services.ajouter_objectif(
            contrat=cer, par=referent, domaine="EMPLOI", libelle="Plus tard", echeance=datetime.date(2027, 1, 1)
        )
