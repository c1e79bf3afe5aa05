# Crossroads: `make run` serves the app locally, `make test` runs every check CI runs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
LOAD_STAMP := $(VENV)/.installed-load
HOST ?= 127.0.0.1
PORT ?= 8000
# The real ADR tools (log4brains, markdownlint-cli, MADR's templates), pinned by
# tests/tools/package-lock.json and installed outside the venv so `make clean` keeps them.
TOOLS_DIR := .tools/node
TOOLS_STAMP := $(TOOLS_DIR)/.installed

.PHONY: run test test-sqlite test-postgres lint format install system-deps tools bench loadtest clean

# The virtualenv, made with the newest Python 3.12+ found.
$(PY):
	@python_bin=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$python_bin"; \
	"$$python_bin" -m venv $(VENV)

# The project and its dev dependencies, reinstalled when pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Python dependencies only.
install: $(STAMP)

# Serve the app with demo data; the task worker (exports, imports) runs beside the server
# and is stopped with it.
run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_demo
	@echo "Crossroads is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# System packages: Chromium, PostgreSQL, PDF fonts, adr-tools, Node.js/npm, Graphviz.
system-deps:
	@scripts/system-deps.sh

# The npm tools the suite runs, reinstalled (from npm's cache) when their pins change.
$(TOOLS_STAMP): tests/tools/package.json tests/tools/package-lock.json | system-deps
	@scripts/install-adr-tools.sh $(TOOLS_DIR)
	@touch $(TOOLS_STAMP)

# The real ADR tools the suite checks exports against: `make tools` (a no-op once installed).
tools: $(TOOLS_STAMP)

# Ruff's lint and format checks, as CI runs them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fix what ruff can fix and format the code.
format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on SQLite.
test-sqlite: install system-deps tools
	@echo "=== Test suite on SQLite (browser tests included) ==="
	env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

# The whole suite on a PostgreSQL server the script starts and stops.
test-postgres: install system-deps tools
	@echo "=== Test suite on PostgreSQL (browser tests included) ==="
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

# Everything CI checks.
test: lint test-sqlite test-postgres
	@echo "=== All checks passed: ruff, SQLite suite, PostgreSQL suite, Chromium browser tests ==="

# Every benchmark in one table (figure, baseline from the same run, ratio, goal), also written
# to bench/results.json; the PostgreSQL figures use a throwaway server.
bench: install system-deps
	scripts/with-postgres.sh $(PY) bench/run.py

# The load test's tools (locust), beside the project's.
$(LOAD_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,load]'
	@touch $(LOAD_STAMP)

# 50 simulated users against gunicorn (4 workers) on a throwaway PostgreSQL, all started
# and stopped by the command; prints throughput, p50/p95/p99 per step and errors.
loadtest: $(LOAD_STAMP) system-deps
	scripts/with-postgres.sh scripts/loadtest.sh


# Remove the venv and caches; the ADR tools in .tools stay (rm -rf .tools to drop them).
clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
