# Two entry points: `make run` shows the product, `make test` checks it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The suite runs twice: on embedded SQLite, then on PostgreSQL (each test in a schema of its
# own). `make test TEST_DATABASE_URL=` skips the PostgreSQL pass on a machine without one.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test bench

$(BIN)/newsbrief: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# mypy cannot follow the editable install's import hook: show it the folders under their
	# installed names (newsbrief.bot, ...) through links that follow every edit.
	mkdir -p $(VENV)/src/newsbrief
	for folder in bot handlers config; do ln -sfn $(CURDIR)/$$folder $(VENV)/src/newsbrief/$$folder; done
	touch $@

run: $(BIN)/newsbrief
	$(BIN)/newsbrief run

test: $(BIN)/newsbrief
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
	$(if $(TEST_DATABASE_URL),NEWSBRIEF_TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q)

bench: $(BIN)/newsbrief
	$(BIN)/python -m bench
