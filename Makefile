# Newsdesk developer commands. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN := $(shell scripts/find-python 2>/dev/null)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
# checkov pins its own boto3 (older than the layer's), so it lives in a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
LOCK_IN := layers/newsdesk/requirements.in
LOCK := layers/newsdesk/requirements.txt
# sam build runs the python3.12 it finds on PATH: put ours first.
export PATH := $(dir $(PYTHON_BIN)):$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup sam-setup checkov-setup demo test lint typecheck cfn-lint checkov sam-validate sam-build pytest lock local-aws bench bench-extract bench-metadata bench-perf bench-scale schema clean check-python

help:
	@echo "make demo    - run one cycle on a bundled sample site with embedded moto (offline)"
	@echo "make test    - ruff, mypy, cfn-lint, sam validate --lint, sam build, pytest"
	@echo "make setup   - create .venv with newsdesk and its dev dependencies"
	@echo "make lock    - regenerate $(LOCK) (hashes) from $(LOCK_IN)"
	@echo "make local-aws - a moto server with the stack's resources; writes env.json for sam local invoke"
	@echo "make bench-extract / bench-metadata - body / metadata benchmarks: every collection in ../shared,"
	@echo "                    every peer in one fresh run, leave-one-collection-out; rewrites docs/benchmarks.md"
	@echo "make bench-perf     - cold start, package size, parser throughput, fetcher; regenerates docs/cost.md"
	@echo "make bench-scale    - the many-sources simulation; regenerates docs/scale.md"
	@echo "make bench          - all of the above"

check-python:
	@test -n "$(PYTHON_BIN)" || { scripts/find-python; exit 1; }

$(VENV)/.installed: pyproject.toml $(LOCK) | check-python
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The layer's locked dependencies first, hash-checked, so the package install adds none.
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

$(SAM_VENV)/.installed: | check-python
	test -x $(SAM_VENV)/bin/python || $(PYTHON_BIN) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet 'aws-sam-cli==$(SAM_CLI_VERSION)'
	touch $@

sam-setup: $(SAM_VENV)/.installed

$(CHECKOV_VENV)/.installed: | check-python
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON_BIN) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	touch $@

checkov-setup: $(CHECKOV_VENV)/.installed

# Skipped checks carry their reasons in template.yaml (Metadata: checkov: skip).
checkov: checkov-setup
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml

# The lock: every transitive dependency of the layer, for Lambda's Python, with hashes.
lock: setup
	$(VENV)/bin/uv pip compile $(LOCK_IN) --universal --python-version 3.12 --generate-hashes \
		--custom-compile-command 'make lock' --quiet -o $(LOCK)

demo: setup
	$(VENV)/bin/newsdesk demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy functions/dispatcher/app.py
	$(VENV)/bin/mypy functions/fetcher/app.py
	$(VENV)/bin/mypy functions/parser/app.py
	$(VENV)/bin/mypy layers/newsdesk/build_layer.py
	$(VENV)/bin/mypy bench

cfn-lint: setup
	$(VENV)/bin/cfn-lint template.yaml

sam-validate: sam-setup
	$(SAM) validate --lint --template template.yaml --region us-east-1

# sam build installs the hash-locked layer with the pip of the first python3.12 on PATH: .venv's,
# which is current (an interpreter's bundled pip may reject the lock's extras in hash mode).
sam-build: sam-setup setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(SAM) build --template template.yaml --build-dir .aws-sam/build

pytest: setup
	$(VENV)/bin/pytest

local-aws: setup
	$(VENV)/bin/newsdesk local-aws --port $(or $(PORT),5000) --env-json env.json --container-host $(or $(CONTAINER_HOST),127.0.0.1)

test: lint typecheck cfn-lint checkov sam-validate sam-build
	NEWSDESK_SAM_BUILD_DIR=.aws-sam/build $(VENV)/bin/pytest

# Outputs come from bench/.cache (deterministic per tool version; newsdesk's version is a hash of its
# source, so it re-runs whenever it changes); the timing columns come from re-running every tool on
# the same 30 pages per collection in this run. `--fresh` instead re-runs everything (slow: hours
# for newspaper4k on a loaded machine). Dev loop: `.venv/bin/python -m bench.extraction --quick`.
bench-extract: setup
	$(PY) -m bench.extraction --timing 30 --docs

bench-metadata: setup
	$(PY) -m bench.metadata --timing 30 --docs

# Speed, size and cost: each prints its figures with the ratio to its peer (or floor) measured in
# the same run; the JSON results feed docs/cost.md.
bench-perf: setup sam-build
	mkdir -p bench/results
	$(PY) -m bench.coldstart --docs --json bench/results/coldstart.json
	$(PY) -m bench.package_size --docs --json bench/results/package_size.json
	$(PY) -m bench.layer_trace --docs
	$(PY) -m bench.throughput --docs --json bench/results/throughput.json
	$(PY) -m bench.fetcher --docs --json bench/results/fetcher.json
	$(PY) -m bench.cost

bench-scale: setup
	$(PY) -m bench.scale

bench: bench-extract bench-metadata bench-perf bench-scale

schema: setup
	$(PY) -c "from newsdesk.article import schema_text; print(schema_text(), end='')" > docs/article.schema.json

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
