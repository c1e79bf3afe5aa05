# Crossroads: `make run` serves the app locally, `make test` runs every check CI runs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint format install system-deps bench clean

$(PY):
	@python_bin=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$python_bin"; \
	"$$python_bin" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Crossroads is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

system-deps:
	@scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install system-deps
	@echo "=== Test suite on SQLite (browser tests included) ==="
	env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install system-deps
	@echo "=== Test suite on PostgreSQL (browser tests included) ==="
	DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

test: lint test-sqlite test-postgres
	@echo "=== All checks passed: ruff, SQLite suite, PostgreSQL suite, Chromium browser tests ==="

bench: install
	$(PY) bench/engine.py
	$(PY) bench/advice_mix.py
	$(PY) bench/rescore.py
	$(PY) bench/records.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
