# The two set-up commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The demo cycle: this year's, or next year's once this year's report date (30/9) is near.
YEAR ?= $(shell date -d '+3 months' +%Y)

.PHONY: run test check lint typecheck layers install db seed deploy bench clean

$(BIN)/isoflow: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/isoflow

install: $(BIN)/isoflow

db: install
	$(BIN)/isoflow db upgrade

seed: db
	$(BIN)/isoflow seed

deploy: seed
	$(BIN)/isoflow deploy
	$(BIN)/isoflow cycle start --year $(YEAR)

## Run the product: embedded SQLite, demo data, processes deployed, web app + scheduler.
run: deploy
	$(BIN)/isoflow serve --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite and PostgreSQL).
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

layers: install
	$(BIN)/lint-imports

check: lint typecheck layers test

bench: install
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
