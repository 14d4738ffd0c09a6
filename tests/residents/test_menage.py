"""The household from the person's page (issue 17 §5): the team links a conjoint (already followed, or new
after the accent-tolerant duplicate check) and unlinks after a confirmation; the conjoint then signs the
CER; an FJT stay brings no dependent child; double submit, concurrent edits, history."""

import datetime

import pytest
from django.urls import reverse

from accompagnement.verrou import MESSAGE_CONFLIT
from contrats.models import Contrat, Partie
from referentiel.models import Modalite, Structure
from residents import menages
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import AdministrateurFactory, ConseillerLogementFactory, ReferentFactory
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import StructureFactory, modalite
from tests.residents.factories import ResidentFactory


@pytest.fixture
def personne(mesure):
    return mesure.resident


@pytest.fixture
def conjoint(structure):
    return ResidentFactory(structure=structure, nom="Lemaître", prenom="Joël", date_naissance=datetime.date(1988, 4, 2))


def _lier(client, user, personne, **donnees):
    client.force_login(user)
    url = reverse("residents:menage", args=[personne.pk])
    page = client.get(url)
    if page.status_code != 200:
        return page
    form = page.context["form"]
    return client.post(url, {"version": form.initial["version"], "jeton": form.initial["jeton"], **donnees})


def test_le_referent_lie_un_conjoint_deja_suivi_visible_sur_les_deux_dossiers(client, referent, personne, conjoint):
    reponse = _lier(client, referent, personne, conjoint=conjoint.pk)
    assert reponse.status_code == 302
    personne.refresh_from_db()
    conjoint.refresh_from_db()
    assert personne.menage_id == conjoint.menage_id is not None
    assert (personne.role_menage, conjoint.role_menage) == ("DEMANDEUR", "CONJOINT")
    assert personne.situation_familiale == conjoint.situation_familiale == "COUPLE"
    for un, autre in ((personne, conjoint), (conjoint, personne)):
        contenu = client.get(reverse("residents:dossier", args=[un.pk])).content.decode()
        assert reverse("residents:dossier", args=[autre.pk]) in contenu and str(autre) in contenu
    # History: who changed it.
    assert personne.history.first().history_user == referent


def test_le_conjoint_signe_le_cer(client, referent, personne, conjoint, mesure):
    cer = ContratFactory(accompagnement=mesure, type="CER")
    assert Partie.CONJOINT not in cer.parties()
    _lier(client, referent, personne, conjoint=conjoint.pk)
    assert Partie.CONJOINT in Contrat.objects.get(pk=cer.pk).parties()


def test_un_collegue_lie_le_lecteur_et_l_etranger_non(client, collegue, personne, conjoint, etranger, structure):
    assert _lier(client, etranger, personne, conjoint=conjoint.pk).status_code == 404
    conseillere = ConseillerLogementFactory(territoires=[structure.territoire])
    AccompagnementFactory(
        referent=ReferentFactory(structures=[structure]), resident=personne, modalite=modalite("ASLL")
    )
    assert _lier(client, conseillere, personne, conjoint=conjoint.pk).status_code == 403
    client.force_login(AdministrateurFactory())
    reponse = client.get(reverse("residents:menage", args=[personne.pk]))
    assert reponse.status_code == 403 and str(personne.nom) not in reponse.content.decode()
    assert Resident.objects.get(pk=personne.pk).menage_id is None
    assert _lier(client, collegue, personne, conjoint=conjoint.pk).status_code == 302


def test_un_conjoint_d_une_autre_structure_n_est_pas_propose(client, referent, personne):
    ailleurs = ResidentFactory()
    reponse = _lier(client, referent, personne, conjoint=ailleurs.pk)
    assert reponse.status_code == 200 and "conjoint" in reponse.context["form"].errors
    assert Resident.objects.get(pk=personne.pk).menage_id is None


def test_nouveau_conjoint_cree_et_lie_une_seule_fois(client, referent, personne):
    donnees = {"nom": "Bérard", "prenom": "Léa", "date_naissance": "1991-06-15"}
    client.force_login(referent)
    url = reverse("residents:menage", args=[personne.pk])
    form = client.get(url).context["form"]
    envoi = {"version": form.initial["version"], "jeton": form.initial["jeton"], **donnees}
    assert [client.post(url, envoi).status_code for _ in range(2)] == [302, 302]
    nouvelle = Resident.objects.get(nom="Bérard")
    assert nouvelle.structure == personne.structure and nouvelle.role_menage == "CONJOINT"
    assert Resident.objects.get(pk=personne.pk).conjoint == nouvelle


def test_le_nouveau_conjoint_qui_existe_peut_etre_deja_est_signale(client, referent, personne, conjoint):
    # « Lemaitre Joel », no accents: the existing « Lemaître Joël », same birth date.
    donnees = {"nom": "LEMAITRE", "prenom": "joel", "date_naissance": "1988-04-02"}
    reponse = _lier(client, referent, personne, **donnees)
    assert reponse.status_code == 200
    assert [r.pk for r in reponse.context["doublons"]] == [conjoint.pk]
    assert "Cette personne existe peut-être déjà" in reponse.content.decode()
    assert Resident.objects.count() == 2 and Resident.objects.get(pk=personne.pk).menage_id is None
    # Creating anyway is an explicit choice.
    assert _lier(client, referent, personne, creer_quand_meme="1", **donnees).status_code == 302
    assert Resident.objects.filter(nom="LEMAITRE").exists()


@pytest.mark.parametrize(
    "donnees, message",
    [
        ({}, "Choisissez un·e conjoint·e déjà suivi·e"),
        ({"nom": "Seul"}, "Choisissez un·e conjoint·e déjà suivi·e"),
        ({"nom": "X", "prenom": "Y", "date_naissance": "9999-01-01"}, "ne peut pas être dans le futur"),
    ],
)
def test_saisie_incomplete_ou_fausse_message_francais(client, referent, personne, donnees, message):
    reponse = _lier(client, referent, personne, **donnees)
    assert reponse.status_code == 200
    assert message in reponse.content.decode()


def test_deux_modifications_concurrentes_la_seconde_est_refusee(client, referent, personne, conjoint, structure):
    client.force_login(referent)
    url = reverse("residents:menage", args=[personne.pk])
    form = client.get(url).context["form"]
    # Meanwhile, a colleague edits the identity: the version moves on.
    personne.telephone = "0600000000"
    personne.version += 1
    personne.save()
    reponse = client.post(
        url, {"version": form.initial["version"], "jeton": form.initial["jeton"], "conjoint": conjoint.pk}
    )
    assert reponse.status_code == 200 and MESSAGE_CONFLIT.split(" (")[0] in reponse.content.decode()
    assert Resident.objects.get(pk=personne.pk).menage_id is None


def test_un_conjoint_deja_en_menage_est_refuse(client, referent, personne, conjoint, structure):
    autre = ResidentFactory(structure=structure)
    menages.lier_conjoint(resident=autre, conjoint=conjoint, par=referent, version=autre.version)
    reponse = _lier(client, referent, personne, conjoint=conjoint.pk)
    assert reponse.status_code == 200
    assert "a déjà un·e conjoint·e dans son dossier" in reponse.content.decode()


def test_une_residence_fjt_n_accueille_pas_d_enfant_a_charge(client):
    residence = StructureFactory(type=Structure.Type.FJT)
    referent = ReferentFactory(structures=[residence])
    mesure = AccompagnementFactory(
        referent=referent,
        modalite=Modalite.objects.get(code=Modalite.Code.FJT_REGULIER),
        resident__date_naissance=datetime.date(2003, 1, 1),
    )
    parent = ResidentFactory(structure=residence, enfants_a_charge=1)
    reponse = _lier(client, referent, mesure.resident, conjoint=parent.pk)
    assert reponse.status_code == 200
    assert "ne peut pas accueillir d&#x27;enfant à charge" in reponse.content.decode()
    assert Resident.objects.get(pk=mesure.resident_id).menage_id is None


def test_delier_demande_une_confirmation(client, referent, personne, conjoint, etranger):
    menages.lier_conjoint(resident=personne, conjoint=conjoint, par=referent, version=personne.version)
    personne.refresh_from_db()
    url = reverse("residents:menage_delier", args=[personne.pk])
    client.force_login(etranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": personne.version}).status_code == 404
    client.force_login(referent)
    page = client.get(url)
    assert page.status_code == 200 and "Confirmer : délier le ménage" in page.content.decode()
    assert Resident.objects.get(pk=personne.pk).menage_id is not None  # nothing before the confirmation
    assert client.post(url, {"version": personne.version - 1}).status_code == 200  # stale: refused
    assert client.post(url, {"version": personne.version}).status_code == 302
    personne.refresh_from_db()
    conjoint.refresh_from_db()
    assert personne.menage_id is None and conjoint.menage_id is None
    assert personne.conjoint is None
    contenu = client.get(reverse("residents:dossier", args=[conjoint.pk])).content.decode()
    assert "Lier un·e conjoint·e" in contenu
