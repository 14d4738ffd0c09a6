"""Test settings: same stack (PostgreSQL, Redis), faster hashing, e-mails kept in memory."""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405

# No persistent connections in tests: live-server and Celery threads must not keep the test database
# open when pytest-django drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
