"""Real Celery workers for the tests (Redis broker, the test database): in a thread of this process, or as
a process of their own that a test can kill like a crashed server (docs/faults.md)."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from config.celery import app
from config.services import BASE_DIR


@contextlib.contextmanager
def worker_en_fil():
    """A worker in a thread of the test process (solo pool): it reads what a transactional test commits."""
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.result_backend = settings.CELERY_RESULT_BACKEND
    app.control.purge()  # messages left by an interrupted run or by another test would be delivered first
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def worker():
    with worker_en_fil():
        yield


@pytest.fixture
def broker_injoignable():
    """Redis refuses connections (nothing listens on port 1) for what this process enqueues; `retablir`
    gives the real broker back."""

    def brancher(url):
        app.conf.broker_url = url
        app._pool = None  # the producers' pool keeps the connection it was built with
        app.amqp._producer_pool = None

    brancher("redis://127.0.0.1:1/0")
    yield lambda: brancher(settings.CELERY_BROKER_URL)
    brancher(settings.CELERY_BROKER_URL)


def url_de_la_base_de_test():
    reglages = connection.settings_dict
    url = f"postgresql://{reglages['USER']}:{reglages['PASSWORD']}@/{reglages['NAME']}?host={reglages['HOST']}"
    return url + (f"&port={reglages['PORT']}" if reglages["PORT"] else "")


# The worker of `make run` (prefork), with a visibility timeout of a few seconds instead of the settings'
# quarter of an hour, and a restore sweep every second: what is tested is the mechanism, in test time.
_LANCER = """
import django
django.setup()
from django.conf import settings
settings.MEDIA_ROOT = {media!r}  # the test's own, read by the storage on its first use
from config.celery import app
app.conf.broker_transport_options = dict(
    app.conf.broker_transport_options, visibility_timeout={visibilite}, unacked_restore_interval=1,
    unacked_restore_throttle=1,
)
app.worker_main(["worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"])
"""


class WorkerProcessus:
    """`celery worker` in a process group of its own, so that `tuer` kills it whole (main process and
    pool child), as an out-of-memory kill or a power cut would."""

    def __init__(self, visibilite=2):
        # The worker gets this pytest worker's database and Redis as they are: without PYTEST_XDIST_WORKER,
        # the test settings do not shift the Redis database a second time.
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.test_settings",
            DATABASE_URL=url_de_la_base_de_test(),
            REDIS_URL=settings.CELERY_BROKER_URL,
        )
        self.processus = subprocess.Popen(
            [sys.executable, "-c", _LANCER.format(visibilite=visibilite, media=str(settings.MEDIA_ROOT))],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def tuer(self):
        if self.processus.poll() is None:
            os.killpg(self.processus.pid, signal.SIGKILL)
        self.processus.wait(timeout=10)
        self.processus.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tuer()


def attendre(condition, delai=60, message="la condition attendue"):
    """Poll `condition` until it holds (a worker works at its own pace); fails after `delai` seconds."""
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        resultat = condition()
        if resultat:
            return resultat
        time.sleep(0.2)
    raise AssertionError(f"Délai dépassé en attendant {message}")
