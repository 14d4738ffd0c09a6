"""The shell of the application: login and logout, home page by role, error pages, security headers."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from demo.clients import appareil_totp
from tests.accounts.factories import (
    MOT_DE_PASSE,
    AdministrateurFactory,
    ConseillerLogementFactory,
    DelegueFactory,
    PartenaireFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.conftest import code_totp

PHRASES_DES_ROLES = [
    (ReferentFactory, "Vous suivez votre file active"),
    (ResponsableFactory, "Vous voyez les files actives et les alertes de toute votre structure"),
    (DelegueFactory, "Vous validez, refusez ou ajournez les contrats d’engagements réciproques"),
    (ConseillerLogementFactory, "Vous présidez le comité de suivi mensuel avec chaque référent ASLL"),
    (PartenaireFactory, "vous voyez seulement ce que chaque personne a accepté de partager"),
    (AdministrateurFactory, "Vous gérez les comptes des utilisateurs"),
]


def se_connecter(client, username, password=MOT_DE_PASSE):
    """The real two-step login: password, then the code of the user's authenticator app."""
    from accounts.models import User

    client.post(reverse("login"), {"username": username, "password": password})
    code = code_totp(appareil_totp(User.objects.get(username=username)))
    return client.post(reverse("otp_verifier"), {"code": code, "next": reverse("accueil")}, follow=True)


def test_la_page_de_connexion_est_en_francais(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1" in html and "Connexion" in html
    assert re.search(r'<label[^>]*for="id_username"[^>]*>Identifiant</label>', html)
    assert re.search(r'<label[^>]*for="id_password"[^>]*>Mot de passe</label>', html)
    assert "Se connecter" in html
    # the skip link comes before anything else focusable
    assert html.index("Aller au contenu") < html.index("<header")


@pytest.mark.parametrize(("factory", "phrase"), PHRASES_DES_ROLES)
def test_chaque_role_arrive_sur_sa_page_d_accueil(client, factory, phrase):
    user = factory()
    response = se_connecter(client, user.username)
    assert response.redirect_chain == [(reverse("accueil"), 302)]
    assert response.status_code == 200
    html = response.content.decode()
    assert phrase in html
    assert user.get_role_display() in html
    assert str(user) in html
    # one role's sentence never shows on another role's page
    for _autre_factory, autre_phrase in PHRASES_DES_ROLES:
        if autre_phrase != phrase:
            assert autre_phrase not in html


def test_un_mauvais_mot_de_passe_donne_l_erreur_en_francais(client):
    user = ReferentFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "pas-le-bon"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Identifiant ou mot de passe incorrect." in html
    assert 'role="alert"' in html
    assert "_auth_user_id" not in client.session


def test_un_identifiant_inconnu_donne_le_meme_message(client):
    response = client.post(reverse("login"), {"username": "personne", "password": "x"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_un_compte_desactive_ne_se_connecte_pas(client):
    user = ReferentFactory(is_active=False)
    response = client.post(reverse("login"), {"username": user.username, "password": MOT_DE_PASSE})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_la_deconnexion_se_fait_en_post(client):
    user = ReferentFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1] == (reverse("login"), 302)
    assert "_auth_user_id" not in client.session
    assert "Vous êtes déconnecté·e." in response.content.decode()


def test_un_anonyme_est_renvoye_vers_la_connexion(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_apres_connexion_on_revient_a_la_page_demandee(client):
    user = ReferentFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": MOT_DE_PASSE, "next": reverse("password_change")}
    )
    assert response["Location"] == reverse("password_change")


def test_la_page_404_est_en_francais(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert '<html lang="fr">' in html


def test_la_page_404_connecte_garde_la_navigation(client):
    client.force_login(ReferentFactory())
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert 'aria-label="Navigation principale"' in response.content.decode()


def test_la_page_403(rf):
    from accounts.views import acces_refuse

    request = rf.get("/")
    request.user = ReferentFactory()
    response = acces_refuse(request)
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_la_page_500_est_autonome(rf, django_assert_num_queries):
    """Rendered without the request context: no database query, no context processor."""
    from accounts.views import erreur_serveur

    with django_assert_num_queries(0):
        response = erreur_serveur(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    assert "css/app.css" in html


def test_l_echec_csrf_explique_que_la_saisie_est_conservee(client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    user = ReferentFactory()
    csrf_client.force_login(user)
    response = csrf_client.post(reverse("password_change"), {"old_password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ce que vous aviez saisi est conservé dans votre navigateur" in html
    assert "data-conserver-brouillons" in html
    assert response["X-Refus"] == "csrf"  # how app.js tells a stale page from a right refused


def test_un_refus_de_droit_n_est_pas_marque_csrf(rf):
    from django.core.exceptions import PermissionDenied

    from accounts.views import acces_refuse

    response = acces_refuse(rf.get("/"), PermissionDenied())
    assert response.status_code == 403 and "X-Refus" not in response


def test_l_en_tete_csp_est_strict(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_la_sante_repond_sans_connexion(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok"}


def test_changer_de_mot_de_passe(client):
    user = ReferentFactory()
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Changer de mot de passe" in page.content.decode()
    nouveau = "un-nouveau-mot-de-passe-long"
    response = client.post(
        reverse("password_change"),
        {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Mot de passe modifié" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(nouveau)


def test_changer_de_mot_de_passe_avec_erreurs(client):
    client.force_login(ReferentFactory())
    response = client.post(
        reverse("password_change"), {"old_password": "faux", "new_password1": "a", "new_password2": "b"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-erreurs-formulaire" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_old_password_error"' in html


# ---- Templates ---------------------------------------------------------------------------------

DOSSIER_TEMPLATES = Path(settings.BASE_DIR) / "templates"
RESSOURCE_EXTERNE = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


def tous_les_templates():
    return sorted(DOSSIER_TEMPLATES.rglob("*.html"))


def test_aucun_template_ne_charge_de_script_ou_de_style_externe():
    assert tous_les_templates()
    fautifs = [str(p) for p in tous_les_templates() if RESSOURCE_EXTERNE.search(p.read_text())]
    assert fautifs == []


def test_aucun_template_n_a_de_script_ou_de_style_en_ligne():
    """The CSP blocks them: inline <script>, <style>, style="" and on*="" handlers would silently fail."""
    en_ligne = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
    fautifs = [str(p) for p in tous_les_templates() if en_ligne.search(p.read_text())]
    assert fautifs == []


def test_l_accueil_du_referent_dit_ce_qui_l_attend_aujourd_hui(client, django_assert_max_num_queries):
    """Overdue échéances (the navigation badge's figure), today's rendez-vous with a link to the dossier."""
    import datetime

    from django.utils import timezone

    from accompagnement.models import Entretien
    from echeances import services
    from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory

    mesure = AccompagnementFactory(date_debut=timezone.localdate() - datetime.timedelta(days=60))
    services.synchroniser_alertes()
    heure = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    EntretienFactory(accompagnement=mesure, date_heure=heure, statut=Entretien.Statut.PLANIFIE, lieu="Bureau 2")
    client.force_login(mesure.referent)
    # 26: the menu asks once which modalities the user's structures offer (accounts.navigation); the engine
    # one query per rule (the sanction procedure's the last added) and two for the people's RSA parcours.
    with django_assert_max_num_queries(26):
        contenu = client.get(reverse("accueil")).content.decode()
    en_retard = mesure.alertes.filter(etat="EN_RETARD").count()
    assert en_retard > 0
    assert f'<span class="nombre">{en_retard}</span> <span class="libelle">échéance(s) en retard</span>' in contenu
    assert "23:30 – " in contenu and str(mesure.resident) in contenu and "(Bureau 2)" in contenu
    assert reverse("residents:dossier", args=[mesure.resident_id]) in contenu


def test_l_accueil_du_responsable_et_du_delegue_montre_leurs_files(client):
    from tests.accounts.factories import DelegueFactory, ResponsableFactory

    client.force_login(ResponsableFactory())
    assert "contrat(s) attendant votre signature" in client.get(reverse("accueil")).content.decode()
    client.force_login(DelegueFactory())
    contenu = client.get(reverse("accueil")).content.decode()
    assert "contrat(s) à valider" in contenu and "signalement(s) à traiter" in contenu
