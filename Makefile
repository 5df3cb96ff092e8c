# Two commands matter: `make up` (the quickstart against a local emulator) and `make test`.
# Each creates .venv and installs the project into it on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: up down test lint bench emulator clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)          ## quickstart: emulator + `pulumi up` of the root project
	$(PY) -m examples.quickstart.run up

down: $(STAMP)        ## tear the quickstart down: `pulumi destroy`, emulator data removed
	$(PY) -m examples.quickstart.run down

test: $(STAMP)        ## lint, type-check and the whole test suite
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(STAMP)       ## the benchmarks, with targets and pass/fail
	$(PY) -m benchmarks

emulator: $(STAMP)    ## run the emulator in the foreground
	$(VENV)/bin/firmtrace-emulator --port 8787

clean:
	rm -rf $(VENV) .firmtrace .pytest_cache .mypy_cache .ruff_cache
