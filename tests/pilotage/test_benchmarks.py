"""The bench pack's caseload: exactly the wanted number of measures in the committee's own selection."""

import datetime

from pilotage import services
from pilotage.benchmarks import porter_a
from pilotage.models import ComiteSuivi
from pilotage.pack import mesures_du_comite, pack
from referentiel.models import Modalite
from tests.pilotage.conftest import SOCIOPRO, VEILLE, mesure

D = datetime.date
JOUR = D(2026, 3, 31)


def test_le_pack_du_bench_a_exactement_le_nombre_voulu_de_mesures(monde):
    r, d = monde["referent"], monde["delegue"]
    mesure(r, SOCIOPRO, D(2025, 10, 1))
    mesure(r, VEILLE, D(2025, 10, 1))
    # Counted by a plain count of the référent's RSA measures, not in the committee's selection:
    mesure(r, SOCIOPRO, D(2024, 1, 1), D(2025, 6, 30))  # ended before the quarter
    mesure(r, Modalite.Code.ASLL, D(2025, 10, 1))
    mesure(r, Modalite.Code.RSA_EMPLOI, D(2025, 10, 1))  # not accompanied here
    # What the base can lend: active RSA measures of others, one on another territory.
    for referent in (monde["collegue"], monde["collegue"], monde["etranger"], monde["etranger"]):
        mesure(referent, SOCIOPRO, D(2026, 1, 5))
    mesure(monde["collegue"], Modalite.Code.RSA_EMPLOI, D(2026, 1, 5))  # never borrowed
    comite = services.ouvrir_comite(par=d, type=ComiteSuivi.Type.TRIMESTRIEL_RSA, referent=r, date=JOUR)
    assert mesures_du_comite(comite, d).count() == 2
    assert porter_a(comite, d, 5) == 5
    assert len(pack(comite, d)[0]) == 5
    assert porter_a(comite, d, 3) == 3 and len(pack(comite, d)[0]) == 3  # a surplus handed over
    assert porter_a(comite, d, 50) == 6  # all the base can lend


def test_le_bench_du_comite_mesure_la_page_et_une_carte_sans_rien_laisser(monde, monkeypatch):
    """`make bench`'s committee page and card save run (a few times here) and leave the base as it was."""
    from pilotage import benchmarks
    from pilotage.models import DecisionComite

    monkeypatch.setattr(benchmarks, "MESURES_PACK", 3)
    monkeypatch.setattr(benchmarks, "REPETITIONS_COMITE", 2)
    for _ in range(3):
        mesure(monde["referent"], SOCIOPRO, D(2025, 10, 1))
    lignes = {libelle: valeur for libelle, valeur, _unite, _objectif in benchmarks.bench_comite()}
    assert set(lignes) >= {
        "page du comité (3 personnes), p95",
        "enregistrement d'une carte (htmx), p95",
        "enregistrement d'une carte : requêtes SQL",
    }
    assert lignes["page du comité : poids"] > 0
    assert not ComiteSuivi.objects.exists() and not DecisionComite.objects.exists()


def test_le_bench_de_l_apercu_d_impact_ne_laisse_rien(monde):
    from pilotage import benchmarks
    from referentiel.models import Parametre, SurchargeModalite

    mesure(monde["referent"], SOCIOPRO, D(2026, 1, 5))
    avant = (SurchargeModalite.objects.count(), Parametre.objects.count())
    lignes = benchmarks.bench_apercu_impact()
    assert [(unite, objectif) for _libelle, _valeur, unite, objectif in lignes] == [("s", 5), ("s", 5)]
    assert "1 mesures" in lignes[1][0]  # the « bientôt dû » window reads every measure
    assert (SurchargeModalite.objects.count(), Parametre.objects.count()) == avant
