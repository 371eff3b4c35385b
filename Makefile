# Brukarkraft. `make run` serves the portal with demo data; `make test` runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Marks that .venv holds what requirements.txt asks for; a newer requirements.txt reinstalls.
INSTALLED := $(VENV)/.requirements-installed
# Folders that hold no source: makemessages and compilemessages must not walk into them.
NOT_SOURCE := --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules --ignore=test-results
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist): each worker has its own test database,
# live server, browser and Celery queues. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
# Tests go out one at a time to whichever worker is free, longest first (conftest.py):
# xdist's default hands each worker a quarter of the suite at once, in order.
SCHEDULE := $(if $(filter 0,$(TEST_WORKERS)),,--maxschedchunk=1)

.DEFAULT_GOAL := help
.PHONY: help run test test-fast multinode lint format messages prod-check serve worker beat release clean

help:
	@echo "make run         create .venv, migrate, load demo data, serve http://127.0.0.1:8000 with a Celery worker"
	@echo "make test        run the whole test suite (PYTEST_ARGS='-k name' to pick)"
	@echo "make test-fast   every test but the browser tests (-m browser), for the inner loop"
	@echo "make multinode   two web nodes, two workers, S3 (moto): a node lost mid-journey; needs DATABASE_URL, REDIS_URL"
	@echo "make lint        ruff, import rules (lint-imports), mypy, makemigrations --check"
	@echo "make format      let ruff fix and format the code"
	@echo "make messages    update locale/*/django.po from the source and compile the .mo files"
	@echo "make prod-check  check --deploy with a throwaway production environment"
	@echo "make release     production release step, once per deploy: migrate, collectstatic"
	@echo "make serve       production web process: gunicorn (brukarkraft/gunicorn.conf.py), your environment"
	@echo "make worker      production Celery worker (WORKER_CONCURRENCY=n), as many as you like"
	@echo "make beat        production Celery beat: one or more; a Redis lock lets only one send"
	@echo "make clean       remove caches and collected static files (keeps .venv and var/db.sqlite3)"

$(INSTALLED): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo >&2 "Brukarkraft needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo >&2 "Install a newer Python and run, for example: make run PYTHON=python3.12"; \
	  exit 1; }
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  echo "Creating $(VENV) with $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv $(VENV) || { \
	    rm -rf $(VENV); \
	    echo >&2 ""; \
	    echo >&2 "'$(PYTHON) -m venv' failed. On Debian or Ubuntu the venv module is a package of its own:"; \
	    echo >&2 "    sudo apt-get install python3-venv"; \
	    echo >&2 "(or python3.X-venv for the Python you use), then run make again."; \
	    exit 1; }; \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $@

run: $(INSTALLED)
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving http://127.0.0.1:8000 with a Celery worker beside it. Ctrl-C stops both."
	@$(BIN)/celery -A brukarkraft worker --beat --schedule=var/celerybeat-schedule --pool=prefork --concurrency=2 --loglevel=info & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

test: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_WORKERS) $(SCHEDULE) $(PYTEST_ARGS)

# The inner loop: no browser tests (most of e2e/, a few elsewhere); the real Celery
# worker tests stay. `make test` runs everything and is what CI runs.
test-fast: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_WORKERS) $(SCHEDULE) -m "not browser" $(PYTEST_ARGS)

# The production-shaped run alone (e2e/test_multinode.py), every machine's log on standard
# output as it happens. Needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL, as for CI.
multinode: $(INSTALLED)
	MULTINODE_ECHO=1 $(BIN)/pytest -n 0 -s -p no:cacheprovider -m multinode e2e/test_multinode.py $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .
	$(MANAGE) makemigrations --check --dry-run

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(INSTALLED)
	$(MANAGE) makemessages --locale=sv --locale=nb --locale=en --no-obsolete --add-location=file $(NOT_SOURCE)
	$(MANAGE) fill_source_language
	$(MANAGE) compilemessages --locale=sv --locale=nb --locale=en $(NOT_SOURCE)

# Production mode on a throwaway environment: nothing is connected to, only configuration is checked.
prod-check: $(INSTALLED)
	env -u DJANGO_ALLOW_ASYNC_UNSAFE -u CELERY_BROKER_URL \
	  DEBUG=false \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=portal.example.se \
	  DATABASE_URL=sqlite://:memory: \
	  REDIS_URL=redis://127.0.0.1:6379/0 \
	  $(MANAGE) check --deploy --fail-level WARNING

# Production processes (README, "Production"). They take the environment you give them
# (DEBUG=false, SECRET_KEY, DATABASE_URL, REDIS_URL, ...); the same on every machine.
release: $(INSTALLED)
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput

serve: $(INSTALLED)
	$(BIN)/gunicorn --config brukarkraft/gunicorn.conf.py

# Celery's default concurrency is one process per core.
WORKER_CONCURRENCY ?=
worker: $(INSTALLED)
	$(BIN)/celery -A brukarkraft worker --loglevel=$${LOG_LEVEL:-info} \
	  $(if $(WORKER_CONCURRENCY),--concurrency=$(WORKER_CONCURRENCY))

# Beat on one or more machines: with REDIS_URL it uses celery-redbeat, whose lock in Redis
# lets only one of them send (the others wait to take over); --schedule is the plain beat's
# file, used only without REDIS_URL.
beat: $(INSTALLED)
	@mkdir -p "$${VAR_DIR:-var}"
	$(BIN)/celery -A brukarkraft beat --loglevel=$${LOG_LEVEL:-info} \
	  --schedule="$${VAR_DIR:-var}/celerybeat-schedule"

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .ruff_cache .mypy_cache .pytest_cache staticfiles test-results var/celery
