# Newsdesk developer commands. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN := $(shell scripts/find-python 2>/dev/null)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
# sam build runs the python3.12 it finds on PATH: put ours first.
export PATH := $(dir $(PYTHON_BIN)):$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup sam-setup demo test lint typecheck cfn-lint sam-validate sam-build pytest bench bench-extract bench-metadata schema clean check-python

help:
	@echo "make demo    - run one cycle on a bundled sample site with embedded moto (offline)"
	@echo "make test    - ruff, mypy, cfn-lint, sam validate --lint, sam build, pytest"
	@echo "make setup   - create .venv with newsdesk and its dev dependencies"
	@echo "make bench-extract / bench-metadata - body / metadata benchmarks: every collection in ../shared,"
	@echo "                    every peer in one fresh run, leave-one-collection-out; rewrites docs/benchmarks.md"
	@echo "make bench          - both"

check-python:
	@test -n "$(PYTHON_BIN)" || { scripts/find-python; exit 1; }

$(VENV)/.installed: pyproject.toml layers/newsdesk/requirements.txt | check-python
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

$(SAM_VENV)/.installed: | check-python
	test -x $(SAM_VENV)/bin/python || $(PYTHON_BIN) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet 'aws-sam-cli==$(SAM_CLI_VERSION)'
	touch $@

sam-setup: $(SAM_VENV)/.installed

demo: setup
	$(VENV)/bin/newsdesk demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy functions/fetcher/app.py
	$(VENV)/bin/mypy functions/parser/app.py
	$(VENV)/bin/mypy bench

cfn-lint: setup
	$(VENV)/bin/cfn-lint template.yaml

sam-validate: sam-setup
	$(SAM) validate --lint --template template.yaml --region us-east-1

sam-build: sam-setup
	$(SAM) build --template template.yaml --build-dir .aws-sam/build

pytest: setup
	$(VENV)/bin/pytest

test: lint typecheck cfn-lint sam-validate sam-build
	NEWSDESK_SAM_BUILD_DIR=.aws-sam/build $(VENV)/bin/pytest

# Outputs come from bench/.cache (deterministic per tool version; newsdesk's version is a hash of its
# source, so it re-runs whenever it changes); the timing columns come from re-running every tool on
# the same 30 pages per collection in this run. `--fresh` instead re-runs everything (slow: hours
# for newspaper4k on a loaded machine). Dev loop: `.venv/bin/python -m bench.extraction --quick`.
bench-extract: setup
	$(PY) -m bench.extraction --timing 30 --docs

bench-metadata: setup
	$(PY) -m bench.metadata --timing 30 --docs

bench: bench-extract bench-metadata

schema: setup
	$(PY) -c "from newsdesk.article import schema_text; print(schema_text(), end='')" > docs/article.schema.json

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
