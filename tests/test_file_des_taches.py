"""Services queue their work by the task's name (config.celery.mettre_en_file), so that a services module
never imports the tasks module that imports it: each name they use must be a task the worker knows."""

import re
from pathlib import Path

from config.celery import app

RACINE = Path(__file__).resolve().parent.parent
NOM_DE_TACHE = re.compile(r"""mettre_en_file(?:_les)?\(\s*["']([\w.]+)["']""")


def _noms_utilises():
    noms = set()
    for fichier in RACINE.glob("*/*.py"):
        if fichier.parts[-2] not in {"tests", ".venv"}:
            noms.update(NOM_DE_TACHE.findall(fichier.read_text()))
    return noms


def test_chaque_tache_nommee_par_un_service_existe_pour_le_worker():
    app.loader.import_default_modules()  # what the worker imports at start (autodiscover_tasks)
    noms = _noms_utilises()
    assert {"courriels.tasks.envoyer", "echeances.tasks.synchroniser_en_attente"} <= noms
    assert noms <= set(app.tasks), noms - set(app.tasks)
