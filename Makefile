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

# The lowest pulumi SDK pyproject.toml allows, and a venv that has exactly it.
LOWEST_PULUMI := $(shell sed -n 's/.*"pulumi>=\([0-9.]*\),.*/\1/p' pyproject.toml)
LOWEST        := .venv-lowest-sdk
LOWEST_STAMP  := $(LOWEST)/.installed-$(LOWEST_PULUMI)

.PHONY: up down test test-slow test-e2e test-lowest-sdk lint bench matrix emulator pulumi ts-sdk dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)          ## quickstart: emulator + a real `pulumi up` of the root project
	$(WITH_PULUMI) $(PY) -m examples.quickstart.run up

down: $(STAMP)        ## tear the quickstart down: `pulumi destroy`, emulator data removed
	$(WITH_PULUMI) $(PY) -m examples.quickstart.run down

$(LOWEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(LOWEST)/bin/python -m pip install --quiet -e '.[dev]' 'pulumi==$(LOWEST_PULUMI)'
	touch $@

test: $(STAMP) $(LOWEST_STAMP)  ## make lint's checks, the whole suite (real CLI included), the lowest SDK
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(WITH_PULUMI) $(PY) -m pytest -q
	$(MAKE) --no-print-directory test-lowest-sdk

test-slow: $(STAMP)   ## the slow scenarios (-m slow, left out of make test): big stacks, a restart and a password change mid-run
	$(WITH_PULUMI) $(PY) -m pytest -q -m slow -rfEP --log-level=WARNING

test-lowest-sdk: $(LOWEST_STAMP)  ## provider tests and a real-CLI lifecycle on the lowest pulumi SDK allowed
	$(LOWEST)/bin/python -c "import importlib.metadata as m; print('pulumi SDK', m.version('pulumi'))"
	$(WITH_PULUMI) $(LOWEST)/bin/python -m pytest -q tests/provider tests/e2e/test_api_key_cli.py

test-e2e: $(STAMP)    ## only the tests under the real Pulumi CLI
	$(WITH_PULUMI) $(PY) -m pytest -q tests/e2e

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(STAMP)       ## the benchmarks, with targets and pass/fail (section 7 runs the real CLI)
	$(WITH_PULUMI) $(PY) -m benchmarks

matrix: $(STAMP)      ## run the fault matrix and write tests/faults/MATRIX.md (its test checks it)
	$(PY) -m tests.faults.matrix

emulator: $(STAMP)    ## run the emulator in the foreground, on the CLI's default port (see its --help)
	$(VENV)/bin/firmtrace-emulator

pulumi:               ## build (or find) the Pulumi CLI and print its directory
	@scripts/ensure-pulumi

ts-sdk: $(STAMP)      ## regenerate examples/typescript/sdk from the plugin's schema (pulumi package gen-sdk)
	$(WITH_PULUMI) pulumi package gen-sdk $(VENV)/bin/pulumi-resource-firmtrace \
		--language nodejs --local --out examples/typescript/sdk

DIST ?= dist
dist: $(STAMP)        ## the sdist and wheel, into $(DIST)/ (`pip install dist/firmtrace_pulumi-*.whl`)
	rm -f $(DIST)/firmtrace_pulumi-*
	$(PY) -m build --outdir $(DIST) .

clean:
	rm -rf $(VENV) $(LOWEST) .firmtrace .pytest_cache .mypy_cache .ruff_cache
