"""The demo without a phone: demo accounts enrolled on a published key, the code printed by a command, and
`manage.py demo` refused outside DEBUG so that no production account ever has that key."""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from config import launcher
from demo import CLE_TOTP_DEMO, COMPTES
from demo.deuxfacteurs import cle_binaire, code_du_moment, enroler_comptes_demo
from tests.accounts.factories import ReferentFactory


@pytest.fixture
def en_local(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo's contract PDFs


def test_la_demo_refuse_de_se_charger_sans_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusé.*DEBUG=true") as refus:
        call_command("demo", stdout=io.StringIO())
    # manage.py turns a CommandError into this exit code on stderr (BaseCommand.run_from_argv).
    assert refus.value.returncode != 0
    assert not User.objects.filter(username__in=[compte[0] for compte in COMPTES]).exists()
    assert not TOTPDevice.objects.exists()


def test_les_comptes_de_demo_sont_enroles_avec_la_cle_publiee(en_local, client_sans_2fa):
    call_command("demo", stdout=io.StringIO())
    for username, _mot_de_passe, _role in COMPTES:
        appareil = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert bytes(appareil.bin_key) == cle_binaire()
    # The whole login, as a visitor of the demo does it: password, then the code printed by code_demo.
    username, mot_de_passe, _role = COMPTES[1]
    client_sans_2fa.post(reverse("login"), {"username": username, "password": mot_de_passe})
    code, _reste = code_du_moment()
    reponse = client_sans_2fa.post(reverse("otp_verifier"), {"code": code})
    assert reponse.status_code == 302 and reponse["Location"] == reverse("accueil")
    assert client_sans_2fa.get(reverse("accueil")).status_code == 200


def test_un_compte_de_demo_enrole_avec_son_telephone_le_garde(en_local):
    user = ReferentFactory(username=COMPTES[1][0])
    personnel = TOTPDevice.objects.create(user=user, name="mon téléphone", confirmed=True)
    assert enroler_comptes_demo() == 0
    assert list(TOTPDevice.objects.filter(user=user)) == [personnel]
    personnel.delete()
    assert enroler_comptes_demo() == 1
    assert enroler_comptes_demo() == 0  # once


def test_code_demo_affiche_le_code_que_l_appareil_accepte():
    user = ReferentFactory()
    appareil = TOTPDevice.objects.create(user=user, key=cle_binaire().hex(), confirmed=True)
    sortie = io.StringIO()
    call_command("code_demo", stdout=sortie)
    code = sortie.getvalue().split("démonstration : ")[1][:6]
    assert code.isdigit() and CLE_TOTP_DEMO in sortie.getvalue()
    assert appareil.verify_token(code)


def test_le_code_change_a_chaque_pas_de_30_secondes():
    debut = (int(time.time()) // 30) * 30
    assert code_du_moment(debut) == (code_du_moment(debut + 29)[0], 30)
    assert code_du_moment(debut + 29)[1] == 1
    assert code_du_moment(debut + 30)[0] != code_du_moment(debut)[0]


def test_la_banniere_de_make_run_montre_la_cle_et_la_commande(capsys):
    launcher.banner(COMPTES, CLE_TOTP_DEMO)
    texte = capsys.readouterr().out
    assert CLE_TOTP_DEMO in texte and "make code-demo" in texte and "manage.py code_demo" in texte
    launcher.banner([], None)
    assert "Double authentification" not in capsys.readouterr().out
