"""Frequent French passwords are refused beside Django's English list, with a French message."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.accounts.factories import MOT_DE_PASSE, ReferentFactory


@pytest.mark.parametrize("courant", ["motdepasse12", "azerty123456", "Soleil2024!", "jetaimejetaime", "marseille123"])
def test_un_mot_de_passe_francais_courant_est_refuse(courant):
    with pytest.raises(ValidationError) as erreur:
        validate_password(courant)
    assert "Ce mot de passe est trop courant." in erreur.value.messages


def test_un_mot_de_passe_peu_courant_passe():
    validate_password("trois-chevres-sur-le-toit")


def test_le_changement_de_mot_de_passe_le_dit_a_cote_du_champ(client):
    user = ReferentFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": MOT_DE_PASSE, "new_password1": "motdepasse12", "new_password2": "motdepasse12"},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(MOT_DE_PASSE)
