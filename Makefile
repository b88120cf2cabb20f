# Two entry points: `make run` shows the product, `make test` checks it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The suite runs twice: on embedded SQLite, then on PostgreSQL (each test in a schema of its
# own). `make test TEST_DATABASE_URL=` skips the PostgreSQL pass on a machine without one.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test bench lock

# The venv holds exactly the locked versions (hashes checked), then the project on top of them,
# built with the locked setuptools: a fresh clone installs what CI tested.
$(BIN)/newsbrief: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
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

# Re-resolve the locks from pyproject.toml: requirements.lock (what the image installs) and
# requirements-dev.lock (that plus the dev tools: what make and CI install). pip-tools runs
# from a venv of its own, so it never lands in the project's.
LOCK_TOOLS := .venv-lock
COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet --strip-extras \
	--generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links

lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet pip-tools
	$(COMPILE) --upgrade -o requirements.lock pyproject.toml
	$(COMPILE) --upgrade --extra dev -o requirements-dev.lock pyproject.toml
