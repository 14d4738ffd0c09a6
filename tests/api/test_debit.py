"""Throttling per token: past its rate a token gets 429 with Retry-After; another token is not slowed."""

import pytest
from django.urls import reverse

from api.debit import DebitParJeton


@pytest.fixture
def debit_de_deux(monkeypatch):
    monkeypatch.setattr(DebitParJeton, "THROTTLE_RATES", {"jeton": "2/minute"})


def test_429_avec_retry_after(api, monde, debit_de_deux):
    url = reverse("api:referentiel")
    assert [api.get(url, monde.secret_a).status_code for _ in range(2)] == [200, 200]
    reponse = api.get(url, monde.secret_a)
    assert reponse.status_code == 429
    assert 0 < int(reponse["Retry-After"]) <= 60
    assert reponse.json()["code"] == "trop_de_requetes"
    assert reponse.json()["message"].startswith("Trop de requêtes pour ce jeton")
    # Counted per token: the other organisation's token still passes.
    assert api.get(url, monde.secret_b).status_code == 200
