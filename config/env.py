"""Typed readers for environment variables: a missing or malformed value stops the process with a
message that names the variable."""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def env_str(name, default=_MISSING):
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "oui", "on"):
        return True
    if value.lower() in ("0", "false", "no", "non", "off"):
        return False
    raise ImproperlyConfigured(f"La variable {name} doit valoir true ou false (reçu : {value!r}).")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"La variable {name} doit être un nombre entier (reçu : {value!r}).") from None


def env_list(name, default=""):
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(name):
    """DATABASES entry from a postgresql:// URL (host may be a socket directory in ?host=)."""
    url = env_str(name)
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"{name} doit être une URL postgresql:// (reçu : {parsed.scheme or url!r}).")
    query = dict(part.split("=", 1) for part in parsed.query.split("&") if "=" in part)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": (parsed.path or "/").lstrip("/") or "postgres",
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": query.get("host") or parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Django turns psycopg's prepared statements off; only the échéance engine's server-binding cursor
        # asks for them (echeances/base.py), the ORM's client-side cursors never prepare. Behind a pooler
        # in transaction mode, PgBouncer ≥ 1.21 with max_prepared_statements.
        # random_page_cost 1.1 (PostgreSQL's default of 4 is for spinning disks): on SSD or a cached base an
        # index lookup costs about a sequential read. At 4, the « À faire » badge on every page hashed the
        # 100,000 people to find the 900 of a structure (38 ms instead of 2). Set per connection, so that the
        # embedded server, CI's and production's all plan alike.
        "OPTIONS": {"prepare_threshold": 5, "options": "-c random_page_cost=1.1"},
    }


def redis_url(name):
    url = env_str(name)
    if urlparse(url).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"{name} doit être une URL redis:// (reçu : {url!r}).")
    return url
