# The README's two commands: `make run` (demo) and `make test` (whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python 3.12 interpreter: python3.12 on PATH, else one managed by pyenv.
PYTHON ?= $(shell for c in python3.12 "$$(pyenv root 2>/dev/null)/versions/$$(pyenv versions --bare 2>/dev/null | grep -m1 '^3\.12')/bin/python3.12"; do "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$c"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PRESET ?= demo

.PHONY: help run test lint bench clean chromium

help:
	@echo "make run   - install, migrate, load the demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test  - install and run the whole test suite (PostgreSQL, Redis, Chromium)"
	@echo "make lint  - ruff"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	@mkdir -p var/staticfiles
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createdemo
	$(PY) manage.py demo --preset $(PRESET) --if-empty
	@echo ""
	@echo "Footprint is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "Demo logins (demo only): trader/footprint-trader  compliance/footprint-compliance  quant/footprint-quant"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

chromium:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium (browser tests, report charts) and poppler-utils (PDF checks)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

test: $(VENV)/.dev chromium
	@mkdir -p var/staticfiles test-artifacts
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

bench: $(VENV)/.dev
	$(PY) bench/bench_ingest.py
	$(PY) bench/bench_tca.py

clean:
	rm -rf var/test-ticks var/test-models .pytest_cache
