# mahnwerk: two commands for a new user (see README.md)
#   make run   – creates .venv if missing, installs, runs the main job
#   make test  – installs what the tests need (system packages too when run as root) and runs every test

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench lock clean

$(BIN)/python:
	bash scripts/make-venv.sh "$(PYTHON)" "$(VENV)"

$(VENV)/.runtime-installed: $(BIN)/python requirements.lock requirements-nodeps.txt pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime-installed
	bash scripts/run.sh

test: $(VENV)/.dev-installed
	bash scripts/test.sh

lint: $(VENV)/.dev-installed
	bash scripts/lint.sh

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_all.py

# Re-resolve the lock files from pyproject.toml (needs network access to PyPI).
lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) .venv-tools var/ .pytest_cache .mypy_cache .ruff_cache
