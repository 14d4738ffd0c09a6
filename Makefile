# Local development and CI entry points. See README.md « Démarrer ».
#
#   make run     installs, then the whole application on http://127.0.0.1:8000/ (embedded PostgreSQL + Redis
#                under ./var/ unless DATABASE_URL / REDIS_URL are set)
#   make test    installs, then the test suite (PYTEST_ARGS="-k contrat -x" for extra pytest arguments)

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
SERVICES := $(PY) -m config.services exec --
PYTEST_ARGS ?=
# Tests run in parallel (pytest-xdist, one test database per worker); PYTEST_N=0 runs them in one process.
PYTEST_N ?= auto
BENCH_ARGS ?=
APPS := accounts referentiel residents accompagnement contrats echeances config

.PHONY: help install deps run test lint check-deploy bench audit lock clean clean-data chromium code-demo

help:
	@echo "make run         installe puis lance l'application sur http://127.0.0.1:8000/"
	@echo "make test        installe puis lance les tests (PYTEST_ARGS=... pour des options de pytest)"
	@echo "make lint        ruff check, ruff format --check, makemigrations --check"
	@echo "make bench       mesures de performance (manage.py bench ; BENCH_ARGS=--http : pages servies par gunicorn)"
	@echo "make code-demo   code de double authentification du moment des comptes de démonstration"
	@echo "make audit       pip-audit des dépendances verrouillées"
	@echo "make lock        régénère requirements.lock depuis pyproject.toml"
	@echo "make clean       oublie l'installation (.venv reste, la prochaine fois tout est revérifié)"
	@echo "make clean-data  SUPPRIME les données locales (var/ : base et Redis embarqués)"

# The interpreter: python3.11, or python3 when it is a 3.11.
$(PY):
	@set -e; \
	if command -v python3.11 >/dev/null 2>&1; then base=python3.11; \
	elif python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then base=python3; \
	else echo "Python 3.11 est requis (python3.11 introuvable)." >&2; exit 1; fi; \
	echo "Création de $(VENV) avec $$base"; \
	$$base -m venv $(VENV)

# Re-running is a no-op until requirements.lock changes.
$(STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	@touch $@

# A dependency added to pyproject.toml but not to the lock is caught by tests/test_deploiement.py.
install deps: $(STAMP)

lock: | $(PY)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --python $(PY) --quiet -o requirements.lock

run: install
	$(PY) -m config.launcher

# Debian's Chromium for the browser journeys (tests/e2e); we are root on these machines.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installation de Chromium (Debian)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils; \
	fi

# pytest exits 5 when it ran no test: that is a failure, said out loud.
test: install chromium
	@code=0; $(SERVICES) $(PY) -m pytest -p no:cacheprovider -n $(PYTEST_N) --dist loadgroup $(PYTEST_ARGS) || code=$$?; \
	if [ $$code -eq 5 ]; then echo "ÉCHEC : pytest n'a exécuté aucun test (code 5)." >&2; fi; \
	exit $$code

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(SERVICES) $(PY) manage.py makemigrations --check --dry-run

# manage.py check --deploy with a production-like environment (see .ci/run).
check-deploy: install
	DEBUG=false ALLOWED_HOSTS=example.org CSRF_TRUSTED_ORIGINS=https://example.org \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	$(SERVICES) $(PY) manage.py check --deploy --fail-level WARNING

# Same local defaults as `make run` (DEBUG=true, a dev SECRET_KEY) unless the caller set them; the base is
# migrated first, so that `make bench` works on a fresh clone.
BENCH_ENV := DEBUG="$${DEBUG:-true}" SECRET_KEY="$${SECRET_KEY:-dev-make-bench-seulement-ne-pas-utiliser-en-production}"
bench: install
	$(BENCH_ENV) $(SERVICES) $(PY) manage.py migrate --noinput
	$(BENCH_ENV) $(SERVICES) $(PY) manage.py bench $(BENCH_ARGS)

# The demo accounts' current second-factor code (published demo key): the demo without a phone.
code-demo: install
	@$(BENCH_ENV) $(SERVICES) $(PY) manage.py code_demo

# These machines reach no vulnerability database, so on them this proves nothing: run it where the
# network allows (it reads the pinned versions of requirements.lock, not the virtualenv).
audit: install
	$(VENV)/bin/pip-audit --requirement requirements.lock --require-hashes --disable-pip

# Forget the installation stamp (the next make re-syncs .venv). Never touches var/.
clean:
	rm -f $(STAMP)

# Deletes the local data: embedded database, Redis, media, static files. Asks nothing: the target name is the question.
clean-data:
	@for f in var/.postgres.users var/.redis.users; do \
		if [ -s $$f ] && [ "$$(cat $$f)" != "[]" ]; then echo "Des serveurs embarqués tournent encore ($$f) : arrêtez make run / make test d'abord." >&2; exit 1; fi; \
	done
	rm -rf var/
