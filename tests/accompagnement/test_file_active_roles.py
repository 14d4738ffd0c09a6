"""Each role sees its field (issue 17 §4): the conseillère logement's caseload, the RSA référent's filters
and menu, the IT administrator kept off the people's files."""

import pytest
from django.urls import reverse

from accounts import navigation
from referentiel.models import Modalite, Structure
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import (
    AdministrateurFactory,
    ConseillerLogementFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.referentiel.factories import StructureFactory, TerritoireFactory, modalite


@pytest.fixture
def territoire():
    return TerritoireFactory()


@pytest.fixture
def monde(territoire):
    msvs = StructureFactory(territoire=territoire, type=Structure.Type.MSVS)
    association = StructureFactory(territoire=territoire, type=Structure.Type.ASSOCIATION)
    ailleurs = StructureFactory(type=Structure.Type.ASSOCIATION)
    ref_msvs, ref_asso, ref_ailleurs = (ReferentFactory(structures=[s]) for s in (msvs, association, ailleurs))
    return {
        "asll": AccompagnementFactory(
            referent=ref_msvs, modalite=modalite(Modalite.Code.ASLL), resident__nom="Logementaire"
        ),
        "global": AccompagnementFactory(
            referent=ref_asso, modalite=modalite(Modalite.Code.GLOBAL), resident__nom="Globalin"
        ),
        "rsa": AccompagnementFactory(referent=ref_msvs, resident__nom="Rsaiste"),
        "asll_ailleurs": AccompagnementFactory(
            referent=ref_ailleurs, modalite=modalite(Modalite.Code.ASLL), resident__nom="Horsterritoire"
        ),
        "ref_msvs": ref_msvs,
        "ref_asso": ref_asso,
    }


def _file(client, user, **params):
    client.force_login(user)
    reponse = client.get(reverse("accompagnement:file_active"), params)
    assert reponse.status_code == 200
    return reponse, {ligne["mesure"].resident.nom for ligne in reponse.context["page"].paginator.object_list}


# --- the conseillère logement -------------------------------------------------------------------------


def test_la_conseillere_voit_les_mesures_logement_de_son_territoire(client, monde, territoire):
    conseillere = ConseillerLogementFactory(territoires=[territoire])
    reponse, noms = _file(client, conseillere)
    assert noms == {"Logementaire", "Globalin"}
    assert set(reponse.context["referents"]) == {monde["ref_msvs"], monde["ref_asso"]}
    assert {m.champ for m in reponse.context["modalites"]} <= {"LOGEMENT", "LOGEMENT_EMPLOI"}
    contenu = reponse.content.decode()
    assert "Rsaiste" not in contenu and "Horsterritoire" not in contenu


def test_la_conseillere_filtre_par_referent_et_par_modalite(client, monde, territoire):
    conseillere = ConseillerLogementFactory(territoires=[territoire])
    _, noms = _file(client, conseillere, referent=monde["ref_asso"].pk)
    assert noms == {"Globalin"}
    _, noms = _file(client, conseillere, modalite=modalite(Modalite.Code.ASLL).pk)
    assert noms == {"Logementaire"}


def test_la_conseillere_d_un_autre_territoire_ne_voit_rien(client, monde):
    _, noms = _file(client, ConseillerLogementFactory())
    assert noms == set()


def test_la_conseillere_lit_le_dossier_mais_n_ecrit_pas(client, monde, territoire):
    client.force_login(ConseillerLogementFactory(territoires=[territoire]))
    resident = monde["asll"].resident
    assert client.get(reverse("residents:dossier", args=[resident.pk])).status_code == 200
    assert client.get(reverse("accompagnement:entretien_nouveau", args=[monde["asll"].pk])).status_code == 403
    # Not the RSA measure of the same structure.
    assert client.get(reverse("residents:dossier", args=[monde["rsa"].resident_id])).status_code == 404


def test_la_file_active_est_dans_le_menu_de_la_conseillere(territoire):
    libelles = [e["label"] for e in navigation.entrees_pour(ConseillerLogementFactory(territoires=[territoire]))]
    assert "File active" in libelles and "Candidatures" not in libelles


# --- the référent, owner / colleague / outsider --------------------------------------------------------


def test_le_referent_voit_sa_file_le_collegue_la_sienne_l_etranger_rien(client, monde):
    _, noms = _file(client, monde["ref_msvs"])
    assert noms == {"Logementaire", "Rsaiste"}
    collegue = ReferentFactory(structures=[monde["ref_msvs"].structures.get()])
    assert _file(client, collegue)[1] == set()
    assert _file(client, ReferentFactory())[1] == set()
    responsable = ResponsableFactory(structures=[monde["ref_msvs"].structures.get()])
    assert _file(client, responsable)[1] == {"Logementaire", "Rsaiste"}


def test_le_referent_rsa_n_a_pas_de_modalite_fjt_ni_de_candidatures(client, monde):
    reponse, _ = _file(client, monde["ref_msvs"])
    codes = {m.code for m in reponse.context["modalites"]}
    assert codes and not codes & {"FJT_REGULIER", "FJT_PONCTUEL", "FJT_CONVENTION"}
    assert "RSA_SOCIOPRO" in codes
    assert "Candidatures" not in [e["label"] for e in navigation.entrees_pour(monde["ref_msvs"])]


def test_le_referent_d_une_residence_a_les_candidatures_et_les_modalites_fjt(client):
    referent = ReferentFactory(structures=[StructureFactory(type=Structure.Type.FJT)])
    reponse, _ = _file(client, referent)
    codes = {m.code for m in reponse.context["modalites"]}
    assert "FJT_REGULIER" in codes and "RSA_SOCIOPRO" not in codes
    assert "Candidatures" in [e["label"] for e in navigation.entrees_pour(referent)]


def test_un_filtre_de_modalite_hors_de_la_liste_ne_donne_rien_de_plus(client, monde):
    """A modality id typed in the address bar filters the user's own measures, nothing else."""
    _, noms = _file(client, monde["ref_msvs"], modalite=modalite(Modalite.Code.GLOBAL).pk)
    assert noms == set()
    _, noms = _file(client, monde["ref_msvs"], modalite="pas-un-nombre")
    assert noms == {"Logementaire", "Rsaiste"}


# --- the IT administrator ----------------------------------------------------------------------------------


@pytest.mark.parametrize("superuser", [True, False], ids=["superutilisateur", "compte-administrateur"])
def test_l_administrateur_n_ouvre_ni_file_active_ni_dossier(client, monde, superuser):
    client.force_login(AdministrateurFactory(is_superuser=superuser))
    resident = monde["asll"].resident
    for url in (
        reverse("accompagnement:file_active"),
        reverse("residents:liste"),
        reverse("residents:dossier", args=[resident.pk]),
        reverse("residents:suivi", args=[resident.pk]),
        reverse("accompagnement:entretien_nouveau", args=[monde["asll"].pk]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 403, url
        contenu = reponse.content.decode()
        assert "ne donne pas accès aux dossiers des personnes" in contenu
        assert resident.nom not in contenu


def test_l_administrateur_garde_la_fonction_dpo(client, monde):
    client.force_login(AdministrateurFactory())
    resident = monde["asll"].resident
    assert client.get(reverse("residents:droits", args=[resident.pk])).status_code == 200
    assert client.get(reverse("residents:journal", args=[resident.pk])).status_code == 200
    assert client.get(reverse("residents:retention")).status_code == 200


def test_le_menu_de_l_administrateur_n_a_ni_file_active_ni_personnes():
    libelles = [e["label"] for e in navigation.entrees_pour(AdministrateurFactory())]
    assert "Administration" in libelles
    assert "File active" not in libelles and "Personnes" not in libelles


def test_un_superutilisateur_referent_garde_sa_file_active(client, monde):
    referent = monde["ref_msvs"]
    referent.is_superuser = True
    referent.save()
    _, noms = _file(client, referent)
    assert {"Logementaire", "Rsaiste"} <= noms
