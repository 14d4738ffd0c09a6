"""Run a benchmark step in a fresh Python process, so that its memory is its own (the bench process
has already built the synthetic base and run the other measures: its peak says nothing about the step).

The child is `manage.py shell -c`, with the same environment (the embedded servers' URLs); it prints
one JSON line after RESULTAT, with the step's own figures plus its peak resident memory."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

RESULTAT = "RESULTAT-BENCH "

# The peak is VmHWM (the process's own memory map, new at exec), not getrusage's ru_maxrss, which a
# child inherits from the forked parent: the bench process's hundreds of MB would be reported instead.
_ENVELOPPE = """
import json, time
debut = time.perf_counter()
{code}
pic = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
figures = dict(resultat, secondes=round(time.perf_counter() - debut, 2), pic_mo=round(pic / 1024))
print({marqueur!r} + json.dumps(figures))
"""


def executer(code):
    """`code` sets a dict `resultat`; returns it with `secondes` (the whole step) and `pic_mo` (peak
    resident memory of the child, VmHWM)."""
    script = _ENVELOPPE.format(code=code, marqueur=RESULTAT)
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    sortie = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, manage, "shell", "-c", script], capture_output=True, text=True, check=False, env=_environ()
    )
    for ligne in sortie.stdout.splitlines():
        if ligne.startswith(RESULTAT):
            return json.loads(ligne[len(RESULTAT) :])
    raise RuntimeError(f"le processus de mesure a échoué (code {sortie.returncode}) : {sortie.stderr[-2000:]}")


def _environ():
    """The child works on the database this process uses (under pytest, the test database)."""
    env = dict(os.environ)
    url = urlparse(env["DATABASE_URL"])
    env["DATABASE_URL"] = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    return env
