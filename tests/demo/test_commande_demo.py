import pytest
from django.core.management import call_command
from django.db import transaction

from accompagnement.models import Accompagnement, ActionCollective, Entretien, Objectif
from accounts.models import Role, User
from contrats.models import Contrat, ObjectifContrat, Signature, VersionContrat
from demo import COMPTES
from demo.donnees import creer_demo
from residents.models import Consentement, Resident


@pytest.fixture(autouse=True)
def _en_local(settings, tmp_path):
    """`manage.py demo` runs only in DEBUG (tests/demo/test_deuxfacteurs_demo.py); the contracts' PDFs go
    to the test's own directory."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"


def _compter():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Resident,
            Accompagnement,
            Entretien,
            Contrat,
            Objectif,
            ActionCollective,
            Consentement,
            VersionContrat,
            Signature,
            ObjectifContrat,
        )  # fmt: skip
    }


def test_la_demo_lancee_deux_fois_ne_duplique_rien(capsys):
    call_command("demo")
    premier = _compter()
    assert premier["Resident"] >= 75 and premier["Entretien"] > 1000
    call_command("demo")
    assert _compter() == premier
    assert "déjà présentes" in capsys.readouterr().out
    call_command("demo", "--comptes")
    assert "partenaire.ase" in capsys.readouterr().out


def test_chaque_role_a_un_compte_qui_se_connecte(client):
    call_command("demo")
    roles = set()
    for username, mot_de_passe, libelle in COMPTES:
        assert len(mot_de_passe) >= 12
        assert libelle
        assert client.login(username=username, password=mot_de_passe), username
        client.logout()
        roles.add(User.objects.get(username=username).role)
    assert roles == set(Role.values)
    assert not client.login(username="referente.fjt", password="mauvais-mot-de-passe")


def test_le_partenaire_ne_voit_que_les_personnes_qui_ont_consenti():
    call_command("demo")
    partenaire = User.objects.get(username="partenaire.ase")
    visibles = Resident.objects.visibles_par(partenaire)
    assert visibles.count() == 4
    assert set(visibles.values_list("accompagnements__modalite__code", flat=True)) == {"FJT_CONVENTION"}
    # One admission document waits for its signature, the demo's partner story (« Documents à signer »).
    a_signer = Contrat.objects.visibles_par(partenaire).a_signer_par_partenaire(partenaire)
    assert [c.type for c in a_signer] == ["TRIPARTITE"]
    assert a_signer[0].version_courante() is not None


def test_les_donnees_sont_deterministes():
    def construire():
        with transaction.atomic():
            creer_demo(sortie=lambda *args: None)
            personnes = list(Resident.objects.order_by("pk").values_list("nom", "prenom", "date_naissance", "adresse"))
            transaction.set_rollback(True)
        return personnes

    assert construire() == construire()
