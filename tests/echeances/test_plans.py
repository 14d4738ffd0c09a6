"""Issue 18 §3: the morning run's plans stay linear whatever the statistics. On a base whose small tables
(structures, territories, modalities) were never analysed, the planner expects one measure: the renewal
rule then scanned the contracts again for each contract (20.9 s at 10,000 people) and the missing-contract
rule re-aggregated every contract for each measure. The plan's shape is checked, not its time."""

import pytest
from django.db import connection

from demo.synthetique import generer, tables_analysees
from echeances.statistiques import analyser_jamais_analysees, oublier_statistiques
from tests.echeances.plans import boucles_quadratiques, enonces_du_matin, plan


@pytest.fixture
def petite_base():
    generer(personnes=3000, par_personne=2, prefixe="PLAN", sortie=lambda *a: None)


# With no statistics at all (the big tables too), the contacts rule's plan still re-groups per row: the
# morning job analyses such tables before it runs (echeances.statistiques, tested below).
def test_aucun_plan_du_matin_ne_repete_une_lecture_par_ligne(petite_base):
    enonces = enonces_du_matin()
    assert any("fin_proche" in nom for nom, _sql, _p in enonces)
    assert any("manque" in nom for nom, _sql, _p in enonces)
    with connection.cursor() as cursor:
        oublier_statistiques(cursor, tables_analysees())
        problemes = {nom: boucles_quadratiques(plan(cursor, sql, p)) for nom, sql, p in enonces}
    assert {nom: p for nom, p in problemes.items() if p} == {}


def test_le_detecteur_reconnait_la_forme_qui_s_effondrait(petite_base):
    """The test above can fail: the former renewal rule (NOT EXISTS over the contracts' CTE) is flagged."""
    ancien = """
WITH c AS MATERIALIZED (SELECT id, accompagnement_id, date_debut, date_fin FROM contrats_contrat)
SELECT * FROM c WHERE NOT EXISTS (
    SELECT 1 FROM c s WHERE s.accompagnement_id = c.accompagnement_id AND s.id <> c.id
      AND (s.date_debut >= c.date_fin OR s.id = c.id + 1000000))"""
    with connection.cursor() as cursor:
        oublier_statistiques(cursor)
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        assert "CTE Scan on c par ligne" in boucles_quadratiques(plan(cursor, ancien, {}))


def test_le_traitement_analyse_les_tables_jamais_analysees():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referentiel_modalite")
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'referentiel_modalite'::regclass")
    assert analyser_jamais_analysees(["referentiel_modalite"]) == ["referentiel_modalite"]
    assert analyser_jamais_analysees(["referentiel_modalite"]) == []  # analysed once, not every morning


def test_la_tache_du_matin_analyse_avant_de_synchroniser(monkeypatch):
    from echeances import services, tasks

    ordre = []
    monkeypatch.setattr(tasks.statistiques, "analyser_jamais_analysees", lambda: ordre.append("analyse"))
    monkeypatch.setattr(services, "synchroniser_alertes", lambda **k: ordre.append("synchro") or services.Bilan())
    monkeypatch.setattr(tasks, "mettre_en_file", lambda *a, **k: None)
    tasks.synchroniser_alertes.apply()
    assert ordre == ["analyse", "synchro"]
