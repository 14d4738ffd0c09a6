"""config/wsgi.py prepares the web process: every view imported, start-up objects frozen out of the GC."""

import gc
import importlib
import sys


def test_le_serveur_web_gele_ce_que_le_demarrage_a_alloue():
    gc.unfreeze()
    sys.modules.pop("config.wsgi", None)
    try:
        importlib.import_module("config.wsgi")
        # Django, the apps and every view: far more than the few thousand objects of a bare interpreter.
        assert gc.get_freeze_count() > 50_000
        assert "accompagnement.views" in sys.modules and "pilotage.views" in sys.modules
    finally:
        gc.unfreeze()
