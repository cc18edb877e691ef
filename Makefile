# Two commands on a fresh machine: `make run` and `make test`. Only python3 is needed: uv is bootstrapped with pip into
# .tools/, then installs exactly the versions and hashes in uv.lock into .venv (`--locked`: a pyproject.toml changed
# without `make lock` fails instead of resolving anew).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
PIP_AUDIT_VERSION := 2.10.1
# The machine's python3 for .venv; uv never downloads an interpreter of its own.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
SYNC := $(UV) sync --locked --python $(PYTHON)

.PHONY: run test check test-future lint bench package playground doctor clean install dev js screenshots lock sbom audit fuzz

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip --disable-pip-version-check -q install "uv==$(UV_VERSION)"

# `run` keeps whatever else is installed (--inexact); `dev` makes .venv exactly the locked set with the dev tools.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(SYNC) --inexact
	touch $@

$(VENV)/.dev-installed: pyproject.toml uv.lock | $(UV)
	$(SYNC) --extra dev
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	mkdir -p data
	$(PY) -m bot

# ruff (style, complexity) and import-linter (the architecture contracts in pyproject.toml; docs/architecture.md).
lint: dev
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Microsoft's JS tools for the manifest, card rendering and Playground tests (skipped with a reason without Node).
JS := tests/js
$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	touch $@

js:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(JS)/node_modules/.installed \
	  || echo "npm ci failed: the manifest, card rendering and Playground tests will be skipped"; \
	else echo "npm not found: the manifest, card rendering and Playground tests will be skipped"; fi

# The whole suite in parallel (pytest-xdist; tests that need a browser or PostgreSQL say why when they skip).
PYTEST_WORKERS ?= 4
test: dev js
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -rs -n $(PYTEST_WORKERS) --dist loadfile --durations=10

# The inner loop: lint and the model/card unit tests (no servers, no processes), a few seconds.
CHECK_TESTS := tests/test_*_domain.py tests/test_choices.py tests/test_freebusy.py tests/test_card_basics.py \
	tests/test_no_fixed_dates.py tests/test_migrations.py tests/test_architecture.py
check: dev
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -rs $(CHECK_TESTS)

# The suite with the system clock moved two years ahead and to a spring-forward morning (needs Debian's faketime).
test-future: dev
	$(PY) scripts/test_future.py -n $(PYTEST_WORKERS) --dist loadfile

# The long fuzz run: 10,000 generated activities on SQLite and 10,000 on PostgreSQL (skipped without PostgreSQL).
fuzz: dev
	FUZZ_EXAMPLES=10000 $(PY) -m pytest -q -s tests/test_fuzz.py

bench: dev
	$(SYNC) --extra dev --extra bench
	$(PY) -m bench $(BENCH_ARGS)

package: install
	$(PY) -m bot package

doctor: install
	$(PY) -m bot doctor

playground: install js
	bash scripts/playground.sh

# Regenerate docs/screenshots/ (README) and docs/img/ (docs/brukerveiledning.md) from Microsoft's renderer and the
# Agents Playground (needs Node and Chromium).
screenshots: dev js
	$(PY) -m pytest -q tests/test_card_render.py tests/test_playground_e2e.py
	$(PY) scripts/screenshots.py

# After changing dependencies in pyproject.toml: resolve again and commit uv.lock.
lock: | $(UV)
	$(UV) lock

# A CycloneDX SBOM of the locked runtime set (what the Docker image installs), with versions, purls and hashes.
sbom: | $(UV)
	mkdir -p build
	$(UV) export --locked --format cyclonedx1.5 --no-dev -o build/sbom.cdx.json -q
	@echo "wrote build/sbom.cdx.json"

# Known vulnerabilities in every locked package (dev and bench tools included), from PyPI's advisory data (pypi.org's
# per-release JSON API, /pypi/<name>/<version>/json, which carries the PyPA advisories; named explicitly rather than
# OSV's api.osv.dev, which a locked-down build network often does not reach). A mirror that answers only the project
# pages (/pypi/<name>/json) makes every package "not found on PyPI". --strict: a package that could not be checked fails the run, so an unreachable
# advisory service is never a silent pass.
audit: | $(UV)
	mkdir -p build
	$(UV) export --locked --format requirements.txt --all-extras --no-emit-project -o build/requirements.lock.txt -q
	@$(UV) tool run --from "pip-audit==$(PIP_AUDIT_VERSION)" pip-audit -r build/requirements.lock.txt --require-hashes \
	  --vulnerability-service pypi --disable-pip --strict --progress-spinner off || { echo; echo "make audit FAILED: either a locked package has a known \
	vulnerability (listed above: upgrade it in pyproject.toml, then make lock), or the advisory data could not be fetched \
	('could not be audited' above: nothing was checked; run it where pypi.org's JSON API is reachable)." >&2; exit 1; }

clean:
	rm -rf build .pytest_cache
