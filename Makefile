# The README's commands: `make run` starts the demo, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
MANAGE := $(VENV_PYTHON) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint format bench

help:
	@echo "make run     install, load the demo cohort and serve http://$(HOST):$(PORT)/"
	@echo "make test    run the whole test suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make bench   time the matching queue, suggestions and a certificate PDF"

# Python 3.12 or newer: $(PYTHON) when given, else the newest on PATH or under pyenv.
$(VENV)/.created:
	@python="$${PYTHON:-}"; \
	if [ -z "$$python" ]; then \
	  for candidate in python3.14 python3.13 python3.12 \
	      $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	    if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	      python="$$candidate"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$python" ]; then \
	  echo "No Python 3.12 or newer was found on PATH or under pyenv." >&2; \
	  echo "Install one (for example 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV)
	@touch $@

# Reinstalls only when pyproject.toml changes, so repeated runs are quick.
$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(VENV_PYTHON) -m pip install --quiet --upgrade pip
	$(VENV_PYTHON) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(VENV_PYTHON) -m mentoring.devenv http://$(HOST):$(PORT)
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	$(MANAGE) seed_demo_feedback
	$(MANAGE) create_demo_staff
	@# The task worker sends letters; run_due_tasks retries failed ones every minute.
	@$(MANAGE) db_worker --interval 2 & worker=$$!; \
	( while sleep 60; do $(MANAGE) run_due_tasks > /dev/null; done ) & sweeper=$$!; \
	trap 'kill $$worker $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Times the matching queue and suggestions on a throwaway database of 5,000
# mentors and 10,000 mentees, then one certificate PDF against a minimal page.
bench: install
	$(VENV_PYTHON) bench/matching_bench.py
	$(VENV_PYTHON) bench/certificate_bench.py
