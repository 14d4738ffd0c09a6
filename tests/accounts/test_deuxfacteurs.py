"""Mandatory second factor (TOTP, recovery codes) and login lock-out (django-axes)."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.clients import appareil_totp
from tests.accounts.factories import MOT_DE_PASSE, PartenaireFactory, ReferentFactory, ResponsableFactory
from tests.conftest import code_totp


def mot_de_passe(client, user, password=MOT_DE_PASSE):
    return client.post(reverse("login"), {"username": user.username, "password": password})


PAGES_PROTEGEES = ["accueil", "residents:liste", "accompagnement:file_active", "password_change", "otp_codes_secours"]


@pytest.mark.parametrize("nom", PAGES_PROTEGEES)
@pytest.mark.parametrize("factory", [ReferentFactory, ResponsableFactory, PartenaireFactory])
def test_le_mot_de_passe_seul_ne_donne_acces_a_aucune_page(client_sans_2fa, factory, nom):
    user = factory()
    appareil_totp(user)
    mot_de_passe(client_sans_2fa, user)
    response = client_sans_2fa.get(reverse(nom))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verifier"))


def test_premiere_connexion_enrolement_puis_codes_de_secours(client_sans_2fa, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the retry below comes within the throttling delay
    user = ReferentFactory()
    mot_de_passe(client_sans_2fa, user)
    response = client_sans_2fa.get(reverse("accueil"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("otp_enroler"))
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    appareil = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.search(r"data-secret-otp>[A-Z2-7]{32}<", html)
    # a wrong code: nothing is confirmed, the page says why
    response = client_sans_2fa.post(reverse("otp_enroler"), {"code": "000000"})
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    response = client_sans_2fa.post(reverse("otp_enroler"), {"code": code_totp(appareil)})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert client_sans_2fa.get(reverse("accueil")).status_code == 200


def test_un_code_de_secours_sert_une_seule_fois(client_sans_2fa, client):
    user = ReferentFactory()
    appareil_totp(user)
    from accounts.deuxfacteurs import regenerer_codes_secours

    codes = regenerer_codes_secours(user=user)
    mot_de_passe(client_sans_2fa, user)
    response = client_sans_2fa.post(reverse("otp_verifier"), {"code": codes[0], "next": "/personnes/"})
    assert response.status_code == 302 and response["Location"] == "/personnes/"
    assert StaticDevice.objects.get(user=user).token_set.count() == 9
    client.post(reverse("login"), {"username": user.username, "password": MOT_DE_PASSE})
    client.logout()
    client.post(reverse("login"), {"username": user.username, "password": MOT_DE_PASSE})
    response = client.post(reverse("otp_verifier"), {"code": codes[0]})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()


def test_un_mauvais_code_ne_verifie_pas_et_la_redirection_reste_interne(client_sans_2fa, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = ReferentFactory()
    appareil = appareil_totp(user)
    mot_de_passe(client_sans_2fa, user)
    response = client_sans_2fa.post(reverse("otp_verifier"), {"code": "123456"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert client_sans_2fa.get(reverse("accueil")).status_code == 302
    response = client_sans_2fa.post(
        reverse("otp_verifier"), {"code": code_totp(appareil), "next": "https://ailleurs.example/"}
    )
    assert response["Location"] == reverse("accueil")


def test_on_ne_remplace_pas_l_appareil_sans_l_avoir_prouve(client_sans_2fa):
    user = ReferentFactory()
    appareil_totp(user)
    mot_de_passe(client_sans_2fa, user)
    response = client_sans_2fa.get(reverse("otp_enroler"))
    assert response["Location"] == reverse("otp_verifier")


def test_le_verrouillage_apres_cinq_echecs(client_sans_2fa, settings):
    user = ReferentFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = mot_de_passe(client_sans_2fa, user, "mauvais-mot-de-passe")
        assert response.status_code == 200
    response = mot_de_passe(client_sans_2fa, user, "mauvais-mot-de-passe")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    # even the right password is refused while locked out
    response = mot_de_passe(client_sans_2fa, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client_sans_2fa.session


def test_le_verrouillage_ne_touche_pas_un_autre_compte(client_sans_2fa, settings):
    user, autre = ReferentFactory(), ReferentFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        mot_de_passe(client_sans_2fa, user, "mauvais-mot-de-passe")
    response = mot_de_passe(client_sans_2fa, autre)
    assert response.status_code == 302


def test_le_verrouillage_expire(client_sans_2fa, settings):
    import time_machine
    from django.utils import timezone

    user = ReferentFactory()
    with time_machine.travel(timezone.now(), tick=False) as voyage:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            mot_de_passe(client_sans_2fa, user, "mauvais-mot-de-passe")
        assert mot_de_passe(client_sans_2fa, user).status_code == 429
        voyage.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 60)
        assert mot_de_passe(client_sans_2fa, user).status_code == 302


def test_les_mots_de_passe_courts_ou_courants_sont_refuses(client):
    user = ReferentFactory()
    client.force_login(user)
    for faible in ("court-1A", "1234567890123456"):
        response = client.post(
            reverse("password_change"),
            {"old_password": MOT_DE_PASSE, "new_password1": faible, "new_password2": faible},
        )
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(MOT_DE_PASSE)


def test_reglages_de_session_et_cookies(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.MIDDLEWARE.index("accounts.middleware.SessionGlissanteMiddleware") > settings.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    mw = settings.MIDDLEWARE
    assert mw.index("django_otp.middleware.OTPMiddleware") > mw.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    assert mw.index("accounts.middleware.DeuxFacteursMiddleware") > mw.index("django_otp.middleware.OTPMiddleware")


def test_les_essais_de_code_sont_ralentis(client_sans_2fa):
    """django-otp throttling: right after a wrong code, even the right one is refused for a while."""
    user = ReferentFactory()
    appareil = appareil_totp(user)
    mot_de_passe(client_sans_2fa, user)
    client_sans_2fa.post(reverse("otp_verifier"), {"code": "123456"})
    response = client_sans_2fa.post(reverse("otp_verifier"), {"code": code_totp(appareil)})
    assert response.status_code == 200


def test_l_enrolement_ne_propose_pas_de_codes_de_secours_qui_n_existent_pas_encore(client_sans_2fa):
    user = ReferentFactory()
    mot_de_passe(client_sans_2fa, user)
    html = client_sans_2fa.get(reverse("otp_enroler")).content.decode()
    assert reverse("otp_codes_secours") not in html and "Codes de secours" not in html
    # Once enrolled (verified session), the header offers them.
    appareil = TOTPDevice.objects.get(user=user, confirmed=False)
    client_sans_2fa.post(reverse("otp_enroler"), {"code": code_totp(appareil)})
    assert reverse("otp_codes_secours") in client_sans_2fa.get(reverse("accueil")).content.decode()


def test_le_champ_de_code_accepte_un_code_de_secours_tel_qu_on_le_recopie(client_sans_2fa):
    """A recovery code has letters: the field is not a numeric keyboard, and a code copied in capitals, in
    two groups, is accepted."""
    from accounts.deuxfacteurs import regenerer_codes_secours

    user = ReferentFactory()
    appareil_totp(user)
    code = regenerer_codes_secours(user=user)[0]
    mot_de_passe(client_sans_2fa, user)
    champ = re.search(r'<input[^>]*name="code"[^>]*>', client_sans_2fa.get(reverse("otp_verifier")).content.decode())
    assert 'inputmode="numeric"' not in champ.group(0)
    recopie = f"{code[:4].upper()} - {code[4:].upper()}"
    response = client_sans_2fa.post(reverse("otp_verifier"), {"code": recopie})
    assert response.status_code == 302 and response["Location"] == reverse("accueil")
    assert StaticDevice.objects.get(user=user).token_set.count() == 9


def test_le_code_d_enrolement_reste_un_clavier_numerique(client_sans_2fa):
    mot_de_passe(client_sans_2fa, ReferentFactory())
    champ = re.search(r'<input[^>]*name="code"[^>]*>', client_sans_2fa.get(reverse("otp_enroler")).content.decode())
    assert 'inputmode="numeric"' in champ.group(0)
