"""Production description (docker-compose.yml, Dockerfile) and the make/CI entry points, checked without Docker."""

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.db import connections
from django.test import Client

from config import healthcheck
from config.services import BASE_DIR

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")


def command_of(service):
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def resolved_environment(service, given=None):
    """The service's environment as compose would pass it: ${VAR:?msg} takes the value given (or a
    placeholder), ${VAR:-default} its default."""
    given = given or {}

    def substitute(match):
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in given:
            return given[name]
        if op == ":?":
            return f"valeur-de-{name.lower()}"
        return rest

    pattern = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(:\?|:-)([^}]*)\}")
    return {key: pattern.sub(substitute, str(value)) for key, value in SERVICES[service]["environment"].items()}


def settings_variables():
    """Names of the environment variables config/settings.py reads (first argument of the env helpers)."""
    readers = {"env_str", "env_bool", "env_int", "env_list", "database_from_url", "redis_url"}
    tree = ast.parse((BASE_DIR / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in readers and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names


def test_the_five_services_are_described():
    assert set(SERVICES) >= {"db", "redis", "web", "worker", "beat"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    for service in APP_SERVICES:
        assert SERVICES[service]["build"] == ".", service
        assert SERVICES[service]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_runs_gunicorn_on_the_real_wsgi_application():
    command = command_of("web")
    assert "migrate --noinput" in command
    module, attribute = re.search(r"gunicorn (\S+):(\S+)", command).groups()
    assert (module, attribute) == ("config.wsgi", "application")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_worker_and_beat_run_the_real_celery_app_and_its_schedule():
    assert command_of("worker").startswith("celery -A config worker")
    assert command_of("beat").startswith("celery -A config beat")
    app = importlib.import_module("config").celery_app
    assert isinstance(app, Celery)
    schedule = app.conf.beat_schedule
    assert isinstance(schedule, dict)
    # Every scheduled task names a function that exists.
    for name, entry in schedule.items():
        module, _, function = entry["task"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), function, None)), f"{name} : {entry['task']}"


def test_every_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), name
    assert SERVICES["web"]["healthcheck"]["test"][-2:] == ["config.healthcheck", "web"]
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    beat_schedule = SERVICES["beat"]["command"][SERVICES["beat"]["command"].index("--schedule") + 1]
    assert SERVICES["beat"]["healthcheck"]["test"][-1] == beat_schedule


def test_data_lives_in_declared_volumes():
    declared = set(COMPOSE["volumes"])

    def mounts(service):
        return dict(volume.split(":")[::-1] for volume in SERVICES[service].get("volumes", []))

    assert mounts("db")["/var/lib/postgresql/data"] in declared
    assert mounts("redis")["/data"] in declared
    media_root = resolved_environment("web")["MEDIA_ROOT"]
    assert mounts("web")[media_root] in declared
    assert mounts("worker")[media_root] == mounts("web")[media_root]  # PDFs written by tasks are served
    for service in SERVICES:
        for source in mounts(service).values():
            assert source in declared, f"{service} monte {source}, volume non déclaré"


def test_the_compose_environment_is_enough_for_the_production_settings():
    env = resolved_environment("web", {"POSTGRES_PASSWORD": "secret", "ALLOWED_HOSTS": "accompagnement.example.org"})
    env = {**env, "PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL, str(s.MEDIA_ROOT)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        False,
        ["accompagnement.example.org"],
        "db",
        "redis://redis:6379/0",
        "/data/media",
    ]


def test_every_variable_the_settings_read_is_passed_by_compose_and_documented():
    variables = settings_variables()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= variables
    for service in APP_SERVICES:
        missing = variables - set(SERVICES[service]["environment"])
        assert not missing, f"{service} : variables absentes de docker-compose.yml : {sorted(missing)}"
    readme = (BASE_DIR / "README.md").read_text()
    production = readme.split("## Configuration en production", 1)[1].split("\n## ", 1)[0]
    undocumented = sorted(name for name in variables if f"`{name}`" not in production)
    assert not undocumented, f"variables non documentées dans README « Configuration en production » : {undocumented}"


class _DjangoOverHttp(BaseHTTPRequestHandler):
    """A plain HTTP server in front of Django's test client: the probe speaks real HTTP, the test stays a
    simple (non-transactional) one."""

    def do_GET(self):
        try:
            headers = {key.lower(): value for key, value in self.headers.items()}
            response = Client(raise_request_exception=False).get(self.path, headers=headers)
        finally:
            connections.close_all()  # this thread's connection must not outlive the request
        self.send_response(response.status_code)
        for key, value in response.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(response.content)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DjangoOverHttp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_web_healthcheck_answers_like_the_reverse_proxy(http_server, settings, monkeypatch, capsys):
    settings.ALLOWED_HOSTS = ["accompagnement.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("ALLOWED_HOSTS", ".accompagnement.example.org,autre.example.org")
    assert healthcheck.check_web(f"{http_server}/sante/", timeout=30)
    monkeypatch.setenv("ALLOWED_HOSTS", "ailleurs.example.org")  # a host Django refuses: 400, unhealthy
    assert not healthcheck.check_web(f"{http_server}/sante/", timeout=30)
    # Without the proxy header /sante/ redirects to https: unhealthy, and the redirect is not followed.
    settings.SECURE_PROXY_SSL_HEADER = None
    monkeypatch.setenv("ALLOWED_HOSTS", "accompagnement.example.org")
    assert not healthcheck.check_web(f"{http_server}/sante/", timeout=30)
    assert "HTTP Error 301" in capsys.readouterr().err


def test_beat_healthcheck_follows_the_schedule_file(tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    assert not healthcheck.check_beat(str(schedule))
    (tmp_path / "celerybeat-schedule.db").write_text("")
    assert healthcheck.check_beat(str(schedule))
    old = time.time() - 3600
    os.utime(tmp_path / "celerybeat-schedule.db", (old, old))
    assert not healthcheck.check_beat(str(schedule))


def test_dockerfile_builds_the_production_image():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert "requirements.lock" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn", "config.wsgi:application"' in dockerfile
    assert "USER app" in dockerfile
    assert "var/" in (BASE_DIR / ".dockerignore").read_text().split()


def test_requirements_lock_pins_every_dependency_with_hashes():
    lock = (BASE_DIR / "requirements.lock").read_text()
    pinned = {m.group(1).lower().replace("_", "-") for m in re.finditer(r"^([A-Za-z0-9._-]+)==\S+ \\$", lock, re.M)}
    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    declared = pyproject["dependencies"] + pyproject["optional-dependencies"]["dev"]
    for requirement in declared:
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
        assert name in pinned, f"{name} absent de requirements.lock : lancez « make lock »"
    assert lock.count("--hash=sha256:") >= len(pinned)


def make_dry_run(*targets):
    result = subprocess.run(
        ["make", "-n", "-W", "requirements.lock", *targets], cwd=BASE_DIR, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["install", "run", "test", "lint", "bench", "audit", "lock", "clean", "clean-data"])
def test_makefile_has_the_documented_targets(target):
    make_dry_run(target)


def test_make_test_runs_pytest_inside_the_services_and_installs_first():
    output = make_dry_run("test")
    assert "uv pip sync" in output
    assert "-m config.services exec -- .venv/bin/python -m pytest -p no:cacheprovider" in output


def test_make_clean_keeps_the_local_data():
    assert "var" not in make_dry_run("clean")
    assert "rm -rf var/" in make_dry_run("clean-data")


def test_ci_script_runs_the_suite_and_refuses_an_empty_one():
    script = BASE_DIR / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in text
    for expected in ("make test", "make lint", "make check-deploy", "bandit", "passed"):
        assert expected in text, expected
    assert "-eq 5" in (BASE_DIR / "Makefile").read_text()
    check_deploy = make_dry_run("check-deploy")
    assert "check --deploy --fail-level WARNING" in check_deploy
    assert "DEBUG=false" in check_deploy
    assert "ALLOWED_HOSTS=example.org" in check_deploy
