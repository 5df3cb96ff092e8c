# Two commands matter: `make up` (the quickstart against a local emulator) and `make test`.
# Each creates .venv and installs the project into it on first use, and gets the real Pulumi CLI
# through scripts/ensure-pulumi (the `pulumi` on PATH if it is new enough, else built once from
# Go modules into ~/.cache/firmtrace-pulumi; the version is in .pulumi-version).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Runs a command with the real Pulumi CLI first on PATH.
WITH_PULUMI = bin="$$(scripts/ensure-pulumi)" && PATH="$$bin:$$PATH"

.PHONY: up down test test-e2e lint bench emulator pulumi clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)          ## quickstart: emulator + a real `pulumi up` of the root project
	$(WITH_PULUMI) $(PY) -m examples.quickstart.run up

down: $(STAMP)        ## tear the quickstart down: `pulumi destroy`, emulator data removed
	$(WITH_PULUMI) $(PY) -m examples.quickstart.run down

test: $(STAMP)        ## lint, type-check and the whole test suite, real-engine tests included
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(WITH_PULUMI) $(PY) -m pytest -q

test-e2e: $(STAMP)    ## only the tests under the real Pulumi CLI
	$(WITH_PULUMI) $(PY) -m pytest -q tests/e2e

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(STAMP)       ## the benchmarks, with targets and pass/fail
	$(PY) -m benchmarks

emulator: $(STAMP)    ## run the emulator in the foreground
	$(VENV)/bin/firmtrace-emulator --port 8787

pulumi:               ## build (or find) the Pulumi CLI and print its directory
	@scripts/ensure-pulumi

clean:
	rm -rf $(VENV) .firmtrace .pytest_cache .mypy_cache .ruff_cache
