from django.urls import reverse

from accounts import navigation
from accounts.models import Role
from tests.accounts.factories import AdministrateurFactory, ReferentFactory


def test_les_entrees_d_un_role_et_pas_des_autres(monkeypatch):
    monkeypatch.setattr(
        navigation,
        "ENTREES",
        [
            ("Accueil", "accueil", None),
            ("Changer de mot de passe", "password_change", (Role.REFERENT,)),
            ("Administration", "admin:index", (Role.ADMINISTRATEUR,)),
        ],
    )
    referent = ReferentFactory()
    assert [e["label"] for e in navigation.entrees_pour(referent)] == ["Accueil", "Changer de mot de passe"]
    assert [e["label"] for e in navigation.sections_pour(referent)] == ["Changer de mot de passe"]
    admin = AdministrateurFactory()
    assert [e["label"] for e in navigation.entrees_pour(admin)] == ["Accueil", "Administration"]


def test_une_entree_dont_l_ecran_n_existe_pas_est_ignoree(monkeypatch):
    monkeypatch.setattr(navigation, "ENTREES", [("Accueil", "accueil", None), ("Plus tard", "ecran-a-venir", None)])
    assert [e["label"] for e in navigation.entrees_pour(ReferentFactory())] == ["Accueil"]


def test_l_entree_courante():
    items = [{"label": "Accueil", "url": "/"}, {"label": "Personnes", "url": "/personnes/"}]
    assert [i["courante"] for i in navigation.marquer_entree_courante(items, "/")] == [True, False]
    assert [i["courante"] for i in navigation.marquer_entree_courante(items, "/personnes/12/")] == [False, True]
    assert [i["courante"] for i in navigation.marquer_entree_courante(items, "/ailleurs/")] == [False, False]


def test_la_page_courante_est_marquee_dans_le_menu(client):
    client.force_login(ReferentFactory())
    html = client.get(reverse("accueil")).content.decode()
    assert f'href="{reverse("accueil")}" aria-current="page"' in html


def test_le_badge_a_faire_n_apparait_que_si_le_compte_est_fourni(client, monkeypatch, settings):
    monkeypatch.setattr(
        navigation, "ENTREES", [("Accueil", "accueil", None), (navigation.LIBELLE_A_FAIRE, "password_change", None)]
    )
    client.force_login(ReferentFactory())
    assert "badge" not in client.get(reverse("accueil")).content.decode()

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "tests.accounts.test_navigation.trois_a_faire",
                ]
            },
        }
    ]
    html = client.get(reverse("accueil")).content.decode()
    assert (
        '<span class="badge rounded-pill text-bg-danger">3<span class="visually-hidden"> échéance(s) en retard ou bientôt dues</span>'
        in html
    )


def trois_a_faire(request):
    return {"nb_a_faire": 3}


def test_la_page_d_accueil_sans_section_montre_un_etat_vide(client, monkeypatch):
    monkeypatch.setattr(navigation, "ENTREES", [("Accueil", "accueil", None)])
    client.force_login(ReferentFactory())
    html = client.get(reverse("accueil")).content.decode()
    assert "Aucun espace n’est encore ouvert pour votre rôle." in html


def test_la_page_d_accueil_montre_les_sections(client):
    client.force_login(AdministrateurFactory())
    html = client.get(reverse("accueil")).content.decode()
    assert f'<a class="carte-section" href="{reverse("admin:index")}">' in html


def _libelles(user):
    return [e["label"] for e in navigation.entrees_pour(user)]


def test_bilans_et_comites_pour_les_roles_que_les_pages_acceptent(client):
    """The conseillère logement may see the bilan (ASLL figures are hers); a manager sees the committees
    of their structures' référents: each has the menu entry, and the page answers."""
    from tests.accounts.factories import ConseillerLogementFactory, ResponsableFactory

    conseillere, responsable = ConseillerLogementFactory(), ResponsableFactory()
    assert "Bilans" in _libelles(conseillere)
    assert "Comités" in _libelles(responsable)
    for user, url in ((conseillere, "pilotage:bilan"), (responsable, "pilotage:comites")):
        client.force_login(user)
        assert client.get(reverse(url)).status_code == 200
    # A référent still has no bilan (accounts.acces.peut_voir_bilan).
    assert "Bilans" not in _libelles(ReferentFactory())


def test_comites_pour_l_administrateur(client):
    """The administrator sees every committee (ComiteQuerySet): the menu leads there."""
    from tests.accounts.factories import AdministrateurFactory

    admin = AdministrateurFactory()
    assert "Comités" in _libelles(admin)
    client.force_login(admin)
    assert client.get(reverse("pilotage:comites")).status_code == 200
