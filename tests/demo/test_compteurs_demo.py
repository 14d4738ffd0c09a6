"""On the demo: each role's home page figure and badge match its « À faire » list (issue 17 §3)."""

import pytest

from accounts.models import User
from accounts.tableau import tableau_de_bord
from echeances import services
from echeances.choix import Etat
from echeances.templatetags.echeances_tags import nb_a_faire
from tests.echeances.test_compteurs import _lignes_de_la_liste

pytestmark = pytest.mark.usefixtures("base_demo")


@pytest.mark.parametrize(
    "username", ["referente.rsa", "referent.asll", "responsable.msvs", "delegue.insertion", "conseillere.logement"]
)
def test_les_compteurs_de_la_demo_disent_ce_que_la_liste_montre(client, username):
    services.synchroniser_alertes()  # the morning run
    user = User.objects.get(username=username)
    lignes = _lignes_de_la_liste(client, user)
    chiffres = {c["libelle"]: c["nombre"] for c in tableau_de_bord(user)["chiffres"]}
    en_retard = sum(ligne["e"].etat == Etat.EN_RETARD for ligne in lignes)
    assert en_retard > 0
    assert chiffres["échéance(s) en retard"] == en_retard
    assert chiffres["échéance(s) bientôt dues"] == sum(ligne["e"].etat == Etat.BIENTOT for ligne in lignes)
    assert nb_a_faire(user) == len(lignes)
