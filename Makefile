# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test check lint typecheck unit benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/forge demo
	@echo "Web app: run \`$(BIN)/forge serve --demo\` and open http://127.0.0.1:8000/ (demo users and their one-time passwords are printed)"

test: check

check: lint typecheck unit

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP)
	$(BIN)/pytest

benchmark: $(DEV_STAMP)
	$(BIN)/python benchmarks/run.py

# Import/export wall times; add PostgreSQL with STORE_ARGS="--postgres URL".
.PHONY: benchmark-store
benchmark-store: $(DEV_STAMP)
	$(BIN)/python benchmarks/store.py $(STORE_ARGS)

# The REST API under load with wrk (apt-get install wrk); API_ARGS="--postgres URL" adds PostgreSQL.
.PHONY: benchmark-api
benchmark-api: $(DEV_STAMP)
	$(BIN)/python benchmarks/api.py $(API_ARGS)

# 200 Monte Carlo samples of the demo on all cores (RISK_ARGS="--samples 50" for a shorter run).
.PHONY: benchmark-risk
benchmark-risk: $(DEV_STAMP)
	$(BIN)/python benchmarks/risk.py $(RISK_ARGS)

# The interoperability-value ranking of the demo, both ways, on all cores.
.PHONY: benchmark-interop
benchmark-interop: $(DEV_STAMP)
	$(BIN)/python benchmarks/interop.py $(INTEROP_ARGS)

# Load, faults and hostile input (docs/reliability.md): starts what it needs, takes minutes.
.PHONY: reliability
reliability: $(DEV_STAMP)
	$(BIN)/python scripts/reliability.py $(RELIABILITY_ARGS)

# Known vulnerabilities of the installed dependencies (docs/reliability.md, "Dependencies").
.PHONY: audit
audit: $(DEV_STAMP)
	$(BIN)/python scripts/audit_dependencies.py

# PNGs of the web app's main pages in docs/screenshots/ (needs chromium: apt-get install chromium).
.PHONY: screenshots
screenshots: $(DEV_STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) demo-output .mypy_cache .ruff_cache .pytest_cache
