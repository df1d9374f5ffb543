# The two commands a new user needs: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
SCALE ?= 1

.PHONY: install run serve test lint pytest bench migration clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo data, serve http://$HOST:$PORT (127.0.0.1:5000) with the scheduler beside it; BASE_URL follows them
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(BIN)/python -m tracker.devserver

## make test: ruff, then the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
test: install
	.ci/ensure-chromium
	.ci/ensure-libreoffice
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		TRACKER_TEST_DB=postgresql $(BIN)/python -m pytest -q -m "not e2e"; \
	fi

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench --scale $(SCALE)

## Regenerate the initial migration from the models (only while nothing has landed on main).
migration: install
	$(BIN)/python migrations/regenerate_initial.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
