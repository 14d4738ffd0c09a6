"""The dossier shows what is due on the person's measures, from the engine, and the nav shows the count."""

import datetime

import time_machine
from django.urls import reverse

from echeances.services import synchroniser_alertes
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.contrats.factories import ContratFactory


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_le_dossier_montre_le_contact_en_retard_et_le_menu_le_compte(client):
    mesure = AccompagnementFactory(date_debut=datetime.date(2026, 3, 2))  # socioprofessionnel: 15 days
    EntretienFactory(accompagnement=mesure, date_heure=datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC))
    synchroniser_alertes(le=datetime.date(2026, 6, 1))
    client.force_login(mesure.referent)

    page = client.get(reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1").content.decode()

    assert "Échéances à traiter" in page
    assert "Prendre contact au plus tard le 16/05/2026" in page
    assert "En retard" in page
    assert "en retard ou bientôt dues</span></span>" in page  # the badge next to « À faire »


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_rien_a_traiter_donne_un_etat_vide(client):
    mesure = AccompagnementFactory(date_debut=datetime.date(2026, 5, 30))
    EntretienFactory(accompagnement=mesure, date_heure=datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC))
    ContratFactory(
        accompagnement=mesure,
        etat="VALIDE",
        date_debut=datetime.date(2026, 5, 30),
        date_fin=datetime.date(2026, 11, 30),
    )
    client.force_login(mesure.referent)
    page = client.get(reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1").content.decode()
    assert "Aucune échéance proche ou dépassée pour cette personne." in page


def test_le_dossier_lit_le_suivi_une_fois_pour_le_tableau_et_les_echeances(client):
    """The suivi table and the « Échéances à traiter » section share the page's context: the contacts
    query runs once, and both show its dates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mesure = AccompagnementFactory(date_debut=datetime.date(2026, 3, 2))
    EntretienFactory(accompagnement=mesure, date_heure=datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC))
    client.force_login(mesure.referent)
    with (
        time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)),
        CaptureQueriesContext(connection) as requetes,
    ):
        page = client.get(reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1").content.decode()
    assert (
        sum(
            "e.date_heure AS derniere_rencontre FROM accompagnement_entretien" in q["sql"]
            for q in requetes.captured_queries
        )
        == 1
    )
    assert "16/05/2026" in page and "Prendre contact au plus tard le 16/05/2026" in page


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_la_norme_de_file_active_n_est_pas_sur_le_dossier_d_une_personne(client):
    """The caseload norm is the référent's: the engine finds it for this measure, the dossier leaves it out."""
    from decimal import Decimal

    from echeances.moteur import Regle, calculer
    from tests.accounts.factories import ReferentFactory
    from tests.referentiel.factories import modalite

    referent = ReferentFactory(etp=Decimal("0.10"))  # ASLL: 40 per full time, so 4 at 0.1 ETP
    mesures = [AccompagnementFactory(referent=referent, modalite=modalite("ASLL")) for _ in range(5)]
    assert any(e.regle == Regle.NORME_FILE_ACTIVE for e in calculer([mesures[0].pk], le=datetime.date(2026, 6, 1)))
    client.force_login(referent)
    page = client.get(reverse("residents:dossier", args=[mesures[0].resident_id]) + "?sections=1").content.decode()
    assert "Échéances à traiter" in page
    assert "pour une norme de" not in page
