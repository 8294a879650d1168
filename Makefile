# dora — two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
DORA := $(VENV)/bin/dora
LOCALDB := python3 scripts/localdb.py
PORT ?= 5000
DEMO_SERVICES ?= 20000
PYTEST_ARGS ?=

# The database: DATABASE_URL when given, else the project-local cluster under var/pg.
WITH_DB = if [ -z "$${DATABASE_URL:-}" ]; then $(LOCALDB) start && $(LOCALDB) createdb dora \
	&& export DATABASE_URL=$$($(LOCALDB) url dora); fi;
WITH_TEST_DB = if [ -z "$${TEST_DATABASE_URL:-}" ]; then $(LOCALDB) start && $(LOCALDB) createdb dora_test \
	&& export TEST_DATABASE_URL=$$($(LOCALDB) url dora_test); fi;
# One bench database per catalogue size (dora_bench for the default million, dora_bench_100000
# for `BENCH_SERVICES=100000`…): each size is seeded once and reused.
BENCH_SERVICES ?= 1000000
BENCH_DB = dora_bench$(if $(filter 1000000,$(BENCH_SERVICES)),,_$(BENCH_SERVICES))
WITH_BENCH_DB = if [ -z "$${BENCH_DATABASE_URL:-}" ]; then $(LOCALDB) start && $(LOCALDB) createdb $(BENCH_DB) \
	&& export BENCH_DATABASE_URL=$$($(LOCALDB) url $(BENCH_DB)); fi; export DATABASE_URL=$$BENCH_DATABASE_URL; \
	export DORA_BENCH_SEARCH_SERVICES=$(BENCH_SERVICES);

.PHONY: help setup system-packages run stop test bench lint format geodata lock

help:
	@echo "make run    — installe tout, démarre la base locale, charge les données de démo, sert http://127.0.0.1:$(PORT)"
	@echo "make test   — installe tout et lance les tests (base PostGIS de test)"
	@echo "make bench  — mesures de performance"
	@echo "make stop   — arrête la base locale"
	@echo "make lint / make format — ruff"
	@echo "make lock   — met à jour requirements.lock (versions exactes des dépendances)"
	@echo "make geodata — reconstruit geodata/data depuis les paquets npm/PyPI"

setup: system-packages $(VENV)/.installed node_modules/.installed dora/static/vendor/.installed

system-packages:
	@bash scripts/ensure_system_packages.sh

# Exact versions from requirements.lock (`make lock` refreshes it from pyproject.toml), so a
# new upstream release cannot turn `make test` red (filterwarnings = error) on a fresh machine.
$(VENV)/.installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# Re-resolve every dependency (and the dev extra) to its newest allowed version. Review the
# diff, run `make test`, commit requirements.lock.
lock:
	python3 -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip pip-tools
	var/lock-venv/bin/pip-compile --quiet --upgrade --extra dev --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

dora/static/vendor/.installed: node_modules/.installed scripts/vendor_assets.py
	python3 scripts/vendor_assets.py
	touch $@

# The app's default is production (no dev mailbox, Secure cookies, SECRET_KEY required):
# `make run` asks for development explicitly.
run: setup
	@export DORA_ENV=$${DORA_ENV:-development}; $(WITH_DB) \
	$(DORA) db upgrade && \
	$(DORA) geodata load && \
	$(DORA) demo seed --services $(DEMO_SERVICES) && \
	$(DORA) observatoire calculer --quiet --si-necessaire && \
	$(PYTHON) -m dora.accounts.mailserver --background && \
	{ $(DORA) search worker > var/search-worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; } && \
	echo "dora : http://127.0.0.1:$(PORT) (e-mails : http://127.0.0.1:$(PORT)/dev/mails ;" \
	  "indexation : dora search worker, journal var/search-worker.log)" && \
	$(DORA) run --host 127.0.0.1 --port $(PORT)

stop:
	@$(PYTHON) -m dora.accounts.mailserver --stop
	@$(LOCALDB) stop

test: setup
	@$(WITH_TEST_DB) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Seeds (or reuses) 1,000,000 demo services, then runs every benchmark (`dora bench --list`).
bench: setup
	@bash scripts/ensure_system_packages.sh bench
	@export DORA_ENV=$${DORA_ENV:-development}; $(WITH_BENCH_DB) \
	$(DORA) db upgrade && $(DORA) geodata load && \
	$(DORA) demo seed --services $(BENCH_SERVICES) && \
	$(DORA) bench $(BENCH)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

geodata: setup
	$(PYTHON) -m geodata.build
