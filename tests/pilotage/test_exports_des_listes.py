"""Every daily list exports exactly what it shows, with its filters: people, À faire, applications,
sanction reports. Owner / colleague / outsider see in the file what they see on the screen."""

import csv
import datetime
import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Entretien
from echeances import services as echeances_services
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory
from tests.admissions.factories import Residence
from tests.pilotage.conftest import a_paris
from tests.residents.factories import ResidentFactory


def _export(client, type_, filtres=""):
    reponse = client.post(
        reverse("pilotage:demander_export"),
        {"type": type_, "format": "csv", "filtres": filtres, "jeton": "0c6b3c9e-5d53-4f5e-9a57-1f7f4d1b7a10"},
    )
    assert reponse.status_code == 200, reponse
    return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))


def _filtres_du_bouton(page):
    """The `filtres` the page's export form sends (the list's own query string)."""
    trouve = re.search(r'name="filtres" value="([^"]*)"', page.content.decode())
    return trouve.group(1).replace("&amp;", "&") if trouve else ""


@pytest.fixture
def personnes(structure, etranger):
    noms = {
        "Lefèvre": ResidentFactory(structure=structure, nom="Lefèvre", prenom="Élodie"),
        "Martin": ResidentFactory(structure=structure, nom="Martin", prenom="Paul"),
        "Lefebvre": ResidentFactory(structure=etranger.structures.get(), nom="Lefebvre", prenom="Anne"),
    }
    return noms


@pytest.mark.parametrize("qui, attendus", [("referent", {"Lefèvre"}), ("collegue", {"Lefèvre"}), ("etranger", set())])
def test_les_personnes_filtrees_comme_a_l_ecran(client, request, personnes, qui, attendus):
    client.force_login(request.getfixturevalue(qui))
    page = client.get(reverse("residents:liste"), {"q": "lefevre", "page": "1"})
    assert {r.nom for r in page.context["page"].object_list} == attendus
    filtres = _filtres_du_bouton(page) if attendus else urlencode({"q": "lefevre"})
    assert filtres == "q=lefevre"  # the page number is not a filter
    lignes = _export(client, "personnes", filtres)
    assert lignes[0][:2] == ["nom", "prénom"]
    assert {ligne[0] for ligne in lignes[1:]} == attendus


def test_les_personnes_sans_filtre(client, referent, personnes):
    client.force_login(referent)
    lignes = _export(client, "personnes")
    assert [ligne[0] for ligne in lignes[1:]] == ["Lefèvre", "Martin"]


@pytest.fixture
def mesure_en_retard(referent):
    """A measure opened long ago with no entretien: its contact échéances are late."""
    return AccompagnementFactory(referent=referent, date_debut=timezone.localdate() - datetime.timedelta(days=200))


@pytest.mark.parametrize("qui", ["referent", "responsable", "etranger"])
def test_a_faire_exporte_les_lignes_de_la_liste(client, request, mesure_en_retard, qui):
    user = request.getfixturevalue(qui)
    client.force_login(user)
    page = client.get(reverse("echeances:a_faire"))
    if "lignes" in page.context:
        a_l_ecran = [ligne["e"] for ligne in page.context["lignes"]]
    else:  # the manager's page, grouped by référent
        a_l_ecran = [ligne["e"] for groupe in page.context["groupes"] for ligne in groupe["lignes"]]
    lignes = _export(client, "a_faire")
    assert lignes[0] == ["échéance", "état", "règle", "personne", "référent", "détail"]
    assert [ligne[5] for ligne in lignes[1:]] == [e.message for e in a_l_ecran]
    if qui == "etranger":
        assert lignes[1:] == []
    else:
        assert lignes[1:], "the late measure must be listed"
        assert mesure_en_retard.resident.nom.upper() in lignes[1][3]


def test_candidatures_de_la_residence_filtrees(client, etranger):
    r = Residence()
    r.candidature()
    autre = Residence()
    autre.candidature()
    autre.referent.structures.add(r.residence)  # a référent of two residences, filtering on one
    client.force_login(autre.referent)
    page = client.get(reverse("admissions:tableau"), {"residence": r.residence.pk})
    filtres = _filtres_du_bouton(page)
    assert filtres == f"residence={r.residence.pk}"
    lignes = _export(client, "candidatures", filtres)
    assert [ligne[2] for ligne in lignes[1:]] == [r.residence.nom]
    assert len(_export(client, "candidatures")) == 3  # both residences without the filter
    client.force_login(r.collegue)
    assert [ligne[2] for ligne in _export(client, "candidatures")[1:]] == [r.residence.nom]
    client.force_login(etranger)
    assert _export(client, "candidatures")[1:] == []


def test_signalements_du_territoire(client, mesure, etranger):
    jour = timezone.localdate()
    for decalage in (20, 10):
        EntretienFactory(
            accompagnement=mesure,
            date_heure=a_paris(jour - datetime.timedelta(days=decalage)),
            statut=Entretien.Statut.ABSENT_NON_EXCUSE,
        )
    echeances_services.creer_signalement(
        accompagnement=mesure, par=mesure.referent, motif="Deux absences sans nouvelles malgré les relances."
    )
    client.force_login(DelegueFactory(territoires=[mesure.structure.territoire]))
    page = client.get(reverse("echeances:signalements"))
    assert "Télécharger la liste (Excel)" in page.content.decode()
    lignes = _export(client, "signalements")
    assert [ligne[3] for ligne in lignes[1:]] == ["Deux absences sans nouvelles malgré les relances."]
    assert lignes[1][4] == "en attente"
    assert lignes[1][7:] == ["absences successives non excusées", "signalé, personne à informer"]
    client.force_login(DelegueFactory())  # another territory
    assert _export(client, "signalements")[1:] == []
    client.force_login(etranger)
    assert _export(client, "signalements")[1:] == []


def test_le_telechargement_direct_libere_le_formulaire(client, referent, personnes):
    """The file comes with the cookie the page's script waits for to free both buttons."""
    client.force_login(referent)
    jeton = "9f1d2c3b-4a5e-4f60-8a7b-6c5d4e3f2a10"
    reponse = client.post(reverse("pilotage:demander_export"), {"type": "personnes", "format": "xlsx", "jeton": jeton})
    assert reponse.status_code == 200
    assert reponse.cookies["telechargement"].value == jeton
    assert reponse.cookies["telechargement"]["samesite"] == "Strict"
    page = client.get(reverse("residents:liste"))
    assert "data-telechargement" in page.content.decode()


def test_jeton_invalide_pas_de_cookie(client, referent, personnes):
    client.force_login(referent)
    reponse = client.post(
        reverse("pilotage:demander_export"), {"type": "personnes", "format": "csv", "jeton": "a\r\nSet-Cookie: x"}
    )
    assert reponse.status_code == 200 and "telechargement" not in reponse.cookies


def test_les_listes_s_exportent_depuis_leur_page(client, referent):
    client.force_login(referent)
    contenu = client.get(reverse("pilotage:exports")).content.decode()
    assert 'value="personnes"' not in contenu and 'value="a_faire"' not in contenu
    assert 'value="mesures"' in contenu


def test_filtres_demesures_ignores(client, referent, personnes):
    client.force_login(referent)
    lignes = _export(client, "personnes", "q=" + "x" * 5000)
    assert lignes[1:] == []  # cut to the bound, still a valid search that finds no one


# --- contracts, agenda, workshops ---------------------------------------------------------------------


def test_contrats_filtres_comme_a_l_ecran(client, referent, collegue, etranger):
    from contrats.models import Contrat
    from tests.contrats.factories import ContratFactory

    a = ContratFactory(accompagnement=AccompagnementFactory(referent=referent), type="CER")
    ContratFactory(accompagnement=AccompagnementFactory(referent=referent), type="COM")
    client.force_login(referent)
    page = client.get(reverse("contrats:mes_contrats"), {"type": "CER", "page": "1"})
    a_l_ecran = [c.reference for c in page.context["page_obj"].object_list]
    assert a_l_ecran == [a.reference]
    filtres = _filtres_du_bouton(page)
    assert "type=CER" in filtres and "page" not in filtres
    lignes = _export(client, "contrats", filtres)
    assert [ligne[0] for ligne in lignes[1:]] == a_l_ecran
    assert lignes[1][6] == "brouillon" and lignes[1][7] == "brouillon à terminer"
    assert len(_export(client, "contrats")) == 3
    for autre in (collegue, etranger):  # « Mes contrats » are the référent's own
        client.force_login(autre)
        assert _export(client, "contrats")[1:] == []
    assert Contrat.objects.count() == 2


def test_agenda_de_la_periode_affichee(client, referent, collegue, etranger):
    jour = timezone.localdate() + datetime.timedelta(days=8)
    mesure = AccompagnementFactory(referent=referent)
    for j in (jour, jour + datetime.timedelta(days=40)):
        EntretienFactory(accompagnement=mesure, date_heure=a_paris(j, 14), statut=Entretien.Statut.PLANIFIE)
    client.force_login(referent)
    page = client.get(reverse("accompagnement:agenda"), {"vue": "semaine", "date": jour.isoformat()})
    assert page.context["nombre"] == 1
    lignes = _export(client, "agenda", _filtres_du_bouton(page))
    assert [(ligne[0], ligne[1]) for ligne in lignes[1:]] == [(jour.strftime("%d/%m/%Y"), "14:00")]
    for autre in (collegue, etranger):
        client.force_login(autre)
        assert _export(client, "agenda", f"vue=mois&date={jour.isoformat()}")[1:] == []


def test_ateliers_de_la_structure(client, referent, collegue, etranger, structure):
    from tests.accompagnement.factories import ActionCollectiveFactory

    ActionCollectiveFactory(structure=structure, theme="Budget du quotidien")
    client.force_login(collegue)
    page = client.get(reverse("accompagnement:ateliers"))
    assert "Télécharger les ateliers (Excel)" in page.content.decode()
    lignes = _export(client, "ateliers")
    assert [ligne[2] for ligne in lignes[1:]] == ["Budget du quotidien"]
    client.force_login(etranger)
    assert _export(client, "ateliers")[1:] == []
