"""The comité's référent picker offers only the référents of its field (issue 17 §1): RSA for the
quarterly committee, ASLL for the monthly one; the service refuses the others."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pilotage import services
from pilotage.models import ComiteSuivi
from referentiel.models import Modalite
from tests.accounts.factories import MOT_DE_PASSE, ReferentFactory
from tests.pilotage.conftest import SOCIOPRO, mesure

D = datetime.date
JOUR = D(2026, 3, 31)


def _client(client, user):
    client.login(username=user.username, password=MOT_DE_PASSE)
    return client


def test_le_choix_du_referent_ne_propose_que_ceux_du_champ(client, monde):
    rsa, asll = monde["referent"], monde["collegue"]
    mesure(rsa, SOCIOPRO, D(2025, 10, 1))
    mesure(asll, Modalite.Code.ASLL, D(2026, 1, 10))
    ancien = ReferentFactory(structures=[monde["structure"]])
    mesure(ancien, SOCIOPRO, D(2023, 1, 1), D(2024, 1, 31))  # no RSA measure for two years
    mesure(monde["etranger"], SOCIOPRO, D(2025, 10, 1))  # another territory
    page = _client(client, monde["delegue"]).get(reverse("pilotage:comites"))
    assert list(page.context["form"].fields["referent"].queryset) == [rsa]
    client.logout()
    page = _client(client, monde["conseillere"]).get(reverse("pilotage:comites"))
    assert list(page.context["form"].fields["referent"].queryset) == [asll]
    # The service refuses a référent of the other field, whatever the form sent.
    with pytest.raises(ValidationError, match="aucune mesure RSA"):
        services.ouvrir_comite(par=monde["delegue"], type="TRIMESTRIEL_RSA", referent=asll, date=JOUR)
    with pytest.raises(ValidationError, match="aucune mesure ASLL"):
        services.ouvrir_comite(par=monde["conseillere"], type="MENSUEL_ASLL", referent=rsa, date=JOUR)
    reponse = client.post(reverse("pilotage:comites"), {"referent": rsa.pk, "date": "2026-03-31"})
    assert reponse.status_code == 200 and "choix valide" in reponse.content.decode()
    assert not ComiteSuivi.objects.exists()
