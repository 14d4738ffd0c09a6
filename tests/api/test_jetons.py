"""Tokens: stored as a SHA-256 only, shown once at creation (admin), one organisation each, revoked at
once; the principal of a structure or territory is a service account that cannot log in."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accompagnement.models import Entretien
from accounts import acces
from accounts.models import Role
from api.models import JetonAPI, Ressource
from tests.accounts.factories import AdministrateurFactory, PartenaireFactory
from tests.api.conftest import jeton
from tests.referentiel.factories import StructureFactory, TerritoireFactory


def test_secret_stocke_hache_seulement():
    structure = StructureFactory()
    cree, secret = jeton(structure=structure)
    assert len(secret) >= 40
    assert cree.empreinte == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(JetonAPI.objects.filter(pk=cree.pk).values().get())
    assert JetonAPI.objects.par_secret(secret) == cree
    assert JetonAPI.objects.par_secret(secret + "x") is None


def test_compte_de_service_de_la_structure():
    structure = StructureFactory()
    cree, _ = jeton(structure=structure)
    compte = cree.compte
    assert not compte.is_active and not compte.has_usable_password()
    assert acces.structures_de(compte) == [structure.pk]
    assert acces.signe_pour_la_structure(compte)  # the manager's view of the structure


def test_une_seule_organisation():
    with pytest.raises(ValidationError, match="une seule organisation"):
        jeton(structure=StructureFactory(), territoire=TerritoireFactory(), role_territoire=Role.DELEGUE)
    with pytest.raises(ValidationError):
        jeton(territoire=TerritoireFactory())  # which agents' view: not said
    cree, _ = jeton(structure=StructureFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        JetonAPI.objects.filter(pk=cree.pk).update(territoire=TerritoireFactory())


def test_jeton_partenaire_sur_le_compte_d_un_contact_du_tiers():
    partenaire, autre = PartenaireFactory(), PartenaireFactory()
    with pytest.raises(ValidationError):
        jeton(tiers=partenaire.contact_partenaire.tiers, compte_partenaire=autre)
    cree, _ = jeton(tiers=partenaire.contact_partenaire.tiers, compte_partenaire=partenaire)
    assert cree.compte == partenaire


def test_compte_partenaire_desactive_ferme_le_jeton(api):
    partenaire = PartenaireFactory()
    _, secret = jeton(tiers=partenaire.contact_partenaire.tiers, compte_partenaire=partenaire)
    assert api.get(reverse("api:personnes"), secret).status_code == 200
    partenaire.is_active = False
    partenaire.save()
    assert api.get(reverse("api:personnes"), secret).status_code == 401


def test_derniere_utilisation_notee(api):
    cree, secret = jeton(structure=StructureFactory())
    assert cree.utilise_le is None
    api.get(reverse("api:referentiel"), secret)
    cree.refresh_from_db()
    assert cree.utilise_le is not None


def test_admin_cree_montre_le_secret_une_fois_et_revoque(client):
    admin = AdministrateurFactory()
    client.force_login(admin)
    structure = StructureFactory()
    reponse = client.post(
        reverse("admin:api_jetonapi_add"),
        {"nom": "SI du Département", "portee": "LECTURE", "structure": structure.pk, "ressources": ["MESURES"]},
    )
    assert reponse.status_code == 200
    cree = JetonAPI.objects.get()
    assert cree.ressources == ["MESURES"]
    secret = reponse.context["secret"]
    assert cree.empreinte == hashlib.sha256(secret.encode()).hexdigest()
    assert secret in reponse.content.decode() and "ne sera plus jamais affiché" in reponse.content.decode()
    page = client.get(reverse("admin:api_jetonapi_change", args=[cree.pk])).content.decode()
    assert secret not in page and cree.empreinte not in page
    client.post(
        reverse("admin:api_jetonapi_changelist"), {"action": "revoquer", "_selected_action": [cree.pk]}, follow=True
    )
    cree.refresh_from_db()
    assert cree.revoque_le is not None


def test_admin_refuse_deux_organisations(client):
    client.force_login(AdministrateurFactory())
    reponse = client.post(
        reverse("admin:api_jetonapi_add"),
        {"nom": "X", "portee": "LECTURE", "structure": StructureFactory().pk, "tiers": "", "ressources": ["MESURES"]},
        follow=False,
    )
    assert reponse.status_code == 302 or JetonAPI.objects.count() == 1
    reponse = client.post(
        reverse("admin:api_jetonapi_add"),
        {
            "nom": "Y",
            "portee": "LECTURE",
            "structure": StructureFactory().pk,
            "territoire": TerritoireFactory().pk,
            "ressources": ["MESURES"],
        },
    )
    assert "une seule organisation" in reponse.content.decode()
    assert not JetonAPI.objects.filter(nom="Y").exists()


def test_admin_sans_ressource_refuse(client):
    client.force_login(AdministrateurFactory())
    reponse = client.post(
        reverse("admin:api_jetonapi_add"), {"nom": "Z", "portee": "LECTURE", "structure": StructureFactory().pk}
    )
    assert "Choisissez au moins une ressource." in reponse.content.decode()
    assert not JetonAPI.objects.exists()


# --- scope per resource ------------------------------------------------------------------------------------


def test_par_defaut_toutes_les_ressources():
    cree, _ = jeton(structure=StructureFactory())
    assert sorted(cree.ressources) == sorted(Ressource.values)


def test_hors_de_ses_ressources_403_en_francais(api, monde):
    _, secret = jeton(structure=monde.structure_a, portee=JetonAPI.Portee.ECRITURE, ressources=[Ressource.PERSONNES])
    assert api.get(reverse("api:personnes"), secret).status_code == 200
    reponse = api.get(reverse("api:mesure", args=[monde.mesure.pk]), secret)
    assert reponse.status_code == 403
    assert reponse.json() == {"code": "interdit", "message": "Ce jeton ne donne pas accès aux mesures."}
    avant = Entretien.objects.count()
    reponse = api.post(reverse("api:entretiens"), secret, {"mesure": monde.mesure.pk, "type": "TELEPHONE"})
    assert reponse.json() == {"code": "interdit", "message": "Ce jeton ne donne pas accès aux entretiens."}
    assert Entretien.objects.count() == avant


def test_la_portee_lecture_vaut_sur_ses_ressources(api, monde):
    _, secret = jeton(structure=monde.structure_a, ressources=[Ressource.PERSONNES])
    reponse = api.post(reverse("api:personnes"), secret, {"nom": "X"})
    assert reponse.status_code == 403
    assert reponse.json()["message"] == "Ce jeton ne permet que la lecture."


def test_chaque_vue_de_l_api_nomme_sa_ressource():
    """A view without one is reached by no token: every endpoint but the public schema names its own."""
    from tests.api.test_matrice_api import CLASSEMENT, PUBLIC, _vues_api

    for nom, vue in _vues_api():
        if CLASSEMENT[nom][0] != PUBLIC:
            assert vue.view_class.ressource in Ressource.values, nom
