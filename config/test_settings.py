"""Test settings: same stack (PostgreSQL, Redis), faster hashing, e-mails kept in memory."""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# pytest-xdist: each worker (gw0, gw1…) has its own test database (pytest-django suffixes its name), its own
# media directory and its own Redis database, so that a Celery worker started by one pytest worker never
# takes a message enqueued by another (it would run it against the wrong database).
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = BASE_DIR / "var" / "test-media" / (_XDIST or "principal")  # noqa: F405
if _XDIST:
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)  # noqa: F405
    _base = int(_url.path.strip("/") or 0)
    # Counting down from the given database (CI passes /15): the low numbers of a shared Redis stay untouched.
    REDIS_URL = urlunsplit(_url._replace(path=f"/{(_base - int(_XDIST.removeprefix('gw'))) % 16}"))
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
    CACHES["api"]["LOCATION"] = REDIS_URL  # noqa: F405

# No persistent connections in tests: live-server and Celery threads must not keep the test database
# open when pytest-django drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
