import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import demo.benchmarks


@pytest.fixture
def petit_bench(monkeypatch):
    monkeypatch.setattr(demo.benchmarks, "TAILLE", 40)
    monkeypatch.setenv("BENCH_PREFIXE", "avant")


def _bench(tmp_path):
    call_command(
        "bench", "--personnes", "30", "--entretiens-par-personne", "2", "--prefixe", "TSTB",
        "--seulement", "demo", "--sortie", str(tmp_path),
    )  # fmt: skip


def test_bench_ecrit_le_tableau_et_le_json(petit_bench, tmp_path, capsys):
    _bench(tmp_path)
    rapport = json.loads((tmp_path / "latest.json").read_text())
    assert rapport["base"]["personnes"] == 30
    assert rapport["echecs"] == []
    libelles = [r["libelle"] for r in rapport["resultats"] if r["app"] == "demo"]
    assert "3 000 000 d'entretiens (extrapolé)" in libelles
    assert all(isinstance(r["valeur"], int | float) for r in rapport["resultats"])
    markdown = (tmp_path / "latest.md").read_text()
    assert "| demo | réutilisation d'une base existante |" in markdown
    assert "| application | mesure |" in capsys.readouterr().out


def test_une_mesure_en_echec_est_signalee_et_la_commande_echoue(petit_bench, tmp_path, monkeypatch):
    def bench_casse():
        raise RuntimeError("mesure impossible")

    monkeypatch.setattr(demo.benchmarks, "bench_casse", bench_casse, raising=False)
    with pytest.raises(CommandError, match=r"demo\.bench_casse"):
        _bench(tmp_path)
    rapport = json.loads((tmp_path / "latest.json").read_text())
    assert [e["fonction"] for e in rapport["echecs"]] == ["bench_casse"]
    assert "mesure impossible" in rapport["echecs"][0]["erreur"]
    # the other measure still ran
    assert any(r["fonction"] == "bench_generateur" for r in rapport["resultats"])


def test_application_inconnue(tmp_path):
    with pytest.raises(CommandError, match="inconnue"):
        call_command("bench", "--seulement", "nexistepas", "--sortie", str(tmp_path))


# Committed rows (the fresh processes must see them); serialized rollback, as the browser journeys, so
# that the flush at the end does not re-create the content types the next journey restores.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chaque_mesure_tourne_sur_une_petite_base(tmp_path, monkeypatch):
    """Every app's benchmark runs end to end on a tiny synthetic base: the pages answer 200 to a
    connected, second-factor-verified user (a redirect would be measured otherwise), the fresh-process
    measures (daily run, background export) find the same database and report their memory."""
    import accompagnement.benchmarks

    monkeypatch.setattr(accompagnement.benchmarks, "REPETITIONS", 5)  # the figures are not what is tested
    call_command(
        "bench", "--personnes", "40", "--entretiens-par-personne", "3", "--prefixe", "TSTP",
        "--seulement", "accompagnement", "--seulement", "contrats", "--seulement", "echeances",
        "--seulement", "pilotage", "--sortie", str(tmp_path),
    )  # fmt: skip
    rapport = json.loads((tmp_path / "latest.json").read_text())
    assert rapport["echecs"] == []
    par_libelle = {r["libelle"]: r for r in rapport["resultats"]}
    assert any(lib.startswith("traitement quotidien complet") for lib in par_libelle)
    assert par_libelle["mémoire du processus de synchronisation au plus haut (VmHWM)"]["valeur"] > 0
    assert any(lib.startswith("export XLSX de") for lib in par_libelle)
    assert par_libelle["dossier : médiane"]["valeur"] > 0
    assert {r["app"] for r in rapport["resultats"]} == {"accompagnement", "contrats", "echeances", "pilotage"}
