# Paperwire developer entry points. `make demo` runs the service; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint typecheck pytest system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Load the bundled demo papers into the default SQLite database, then serve on :8000.
demo: $(STAMP)
	$(BIN)/paperwire ingest demo
	$(BIN)/paperwire serve --host 127.0.0.1 --port 8000

serve: $(STAMP)
	$(BIN)/paperwire serve --host 127.0.0.1 --port 8000

system-deps:
	bash scripts/install-system-deps

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

## Everything CI runs: system packages, lint, types, and the tests on SQLite and PostgreSQL.
test: system-deps lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/search_quality.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
