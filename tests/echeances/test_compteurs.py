"""The home page's figures and the navigation badge count exactly what « À faire » lists, for each role
(issue 17 §3: a manager's home page said « 0 échéance(s) en retard » over a list of late items)."""

import datetime

import pytest
from django.urls import reverse

from accounts.tableau import tableau_de_bord
from contrats.models import Contrat
from echeances import services
from echeances.choix import Etat
from echeances.models import Alerte
from echeances.templatetags.echeances_tags import nb_a_faire
from referentiel.models import Modalite
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import (
    AdministrateurFactory,
    ConseillerLogementFactory,
    DelegueFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.contrats.factories import ContratFactory
from tests.echeances.conftest import a_paris

D = datetime.date
AUJOURDHUI = D(2026, 2, 23)


@pytest.fixture(autouse=True)
def _aujourdhui(voyager):
    voyager(AUJOURDHUI)


@pytest.fixture
def terrain():
    """One structure, two référents, RSA and ASLL measures with nothing done since January (contacts and
    contracts late), a contract waiting for validation, and one alert acknowledged (it stays listed)."""
    referent = ReferentFactory()
    structure = referent.structures.get()
    collegue = ReferentFactory(structures=[structure])
    asll = Modalite.objects.get(code=Modalite.Code.ASLL)
    mesures = [
        AccompagnementFactory(referent=referent),
        AccompagnementFactory(referent=referent, modalite=asll),
        AccompagnementFactory(referent=collegue),
        AccompagnementFactory(referent=collegue, modalite=asll),
    ]
    ContratFactory(
        accompagnement=mesures[2],
        etat=Contrat.Etat.EN_VALIDATION,
        date_soumission_validation=a_paris(D(2026, 1, 10)),
    )
    services.synchroniser_alertes(le=AUJOURDHUI)
    alerte = Alerte.objects.filter(accompagnement=mesures[0], regle="CONTACT").get()
    services.acquitter(alerte=alerte, par=referent, commentaire="appel prévu", version=alerte.version)
    return {
        "structure": structure,
        "referent": referent,
        "responsable": ResponsableFactory(structures=[structure]),
        "delegue": DelegueFactory(territoires=[structure.territoire]),
        "conseillere": ConseillerLogementFactory(territoires=[structure.territoire]),
    }


def _lignes_de_la_liste(client, user):
    client.force_login(user)
    contexte = client.get(reverse("echeances:a_faire")).context
    if "groupes" in contexte:
        return [ligne for groupe in contexte["groupes"] for ligne in groupe["lignes"]]
    if "validations" in contexte:
        return [
            *contexte["validations"],
            *contexte["sans_contrat"],
            *contexte["reorientations"],
            *contexte["sanctions"],
        ]
    return contexte["lignes"]


def _chiffre(user, libelle):
    return next(c["nombre"] for c in tableau_de_bord(user)["chiffres"] if c["libelle"] == libelle)


@pytest.mark.parametrize("role", ["referent", "responsable", "delegue", "conseillere"])
def test_les_compteurs_disent_ce_que_la_liste_montre(client, terrain, role):
    user = terrain[role]
    lignes = _lignes_de_la_liste(client, user)
    en_retard = [ligne for ligne in lignes if ligne["e"].etat == Etat.EN_RETARD]
    bientot = [ligne for ligne in lignes if ligne["e"].etat == Etat.BIENTOT]
    assert en_retard, "le terrain doit donner des retards à chaque rôle"
    assert _chiffre(user, "échéance(s) en retard") == len(en_retard)
    assert _chiffre(user, "échéance(s) bientôt dues") == len(bientot)
    # The badge reads the stored alerts (one query) over the same measures, rules and recipients.
    assert nb_a_faire(user) == len(lignes)


def test_l_accueil_affiche_le_chiffre_de_la_liste(client, terrain):
    responsable = terrain["responsable"]
    en_retard = sum(ligne["e"].etat == Etat.EN_RETARD for ligne in _lignes_de_la_liste(client, responsable))
    contenu = client.get(reverse("accueil")).content.decode()
    assert f'<span class="nombre">{en_retard}</span> <span class="libelle">échéance(s) en retard</span>' in contenu


def test_le_tableau_des_structures_de_l_administrateur_compte_les_lignes_de_chacune(client, terrain):
    structure = terrain["structure"]
    client.force_login(AdministrateurFactory())
    nombres = dict(client.get(reverse("echeances:a_faire")).context["structures"])
    contexte = client.get(reverse("echeances:a_faire"), {"structure": structure.pk}).context
    lignes = [ligne for groupe in contexte["groupes"] for ligne in groupe["lignes"]]
    assert nombres[structure] == len(lignes) > 0


def test_le_chiffre_de_la_conseillere_logement_est_la_longueur_de_sa_file_active(client, terrain):
    """Her caseload: the ASLL measures of her territory, whoever their référent (issue 17 §4: her file
    active said 0 while « Personnes » listed them)."""
    conseillere = terrain["conseillere"]
    client.force_login(conseillere)
    lignes = client.get(reverse("accompagnement:file_active")).context["page"].paginator.object_list
    assert {ligne["mesure"].modalite.code for ligne in lignes} == {Modalite.Code.ASLL}
    assert len({ligne["mesure"].referent_id for ligne in lignes}) == 2
    assert _chiffre(conseillere, "mesure(s) logement en cours sur vos territoires") == len(lignes) == 2
