"""`make bench`'s import measure runs end to end and leaves the base as it found it."""

from residents import benchmarks
from residents.models import ImportAllocataires, Resident


def test_le_banc_d_import_mesure_et_ne_laisse_rien(monkeypatch):
    monkeypatch.setattr(benchmarks, "LIGNES", 60)
    avant = Resident.objects.count()
    lignes = benchmarks.bench_import_allocataires()
    libelles = [libelle for libelle, *_ in lignes]
    assert "import de 60 lignes, de bout en bout" in libelles
    assert "même fichier de nouveau (60 lignes inchangées)" in libelles
    assert all(isinstance(valeur, float | int) for _l, valeur, _u, _o in lignes)
    assert Resident.objects.count() == avant and not ImportAllocataires.objects.exists()


def test_le_fichier_du_banc_est_lisible_et_sans_erreur():
    from residents import imports

    tableau = imports.lire(benchmarks.fichier_synthetique(200))
    correspondance = imports.deviner(tableau.entetes)
    assert len(correspondance) == len(benchmarks.ENTETES)
    assert all(imports.valider(valeurs, correspondance)[1] == [] for _n, valeurs in tableau.lignes)
