"""Tokens: stored as a SHA-256 only, shown once at creation (admin), one organisation each, revoked at
once; the principal of a structure or territory is a service account that cannot log in."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import acces
from accounts.models import Role
from api.models import JetonAPI
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
        {"nom": "SI du Département", "portee": "LECTURE", "structure": structure.pk},
    )
    assert reponse.status_code == 200
    cree = JetonAPI.objects.get()
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
        {"nom": "X", "portee": "LECTURE", "structure": StructureFactory().pk, "tiers": ""},
        follow=False,
    )
    assert reponse.status_code == 302 or JetonAPI.objects.count() == 1
    reponse = client.post(
        reverse("admin:api_jetonapi_add"),
        {"nom": "Y", "portee": "LECTURE", "structure": StructureFactory().pk, "territoire": TerritoireFactory().pk},
    )
    assert "une seule organisation" in reponse.content.decode()
    assert not JetonAPI.objects.filter(nom="Y").exists()
