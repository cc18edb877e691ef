# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test check test-future lint bench package playground doctor clean install dev js screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(PY)
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	mkdir -p data
	$(PY) -m bot

lint: dev
	$(PY) -m ruff check .

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
	$(PY) -m pytest -q -rs -n $(PYTEST_WORKERS) --dist loadfile --durations=10

# The inner loop: lint and the model/card unit tests (no servers, no processes), a few seconds.
CHECK_TESTS := tests/test_*_domain.py tests/test_choices.py tests/test_freebusy.py tests/test_card_basics.py \
	tests/test_no_fixed_dates.py tests/test_migrations.py
check: dev
	$(PY) -m ruff check .
	$(PY) -m pytest -q -rs $(CHECK_TESTS)

# The suite with the system clock moved two years ahead and to a spring-forward morning (needs Debian's faketime).
test-future: dev
	$(PY) scripts/test_future.py -n $(PYTEST_WORKERS) --dist loadfile

bench: dev
	$(PIP) install -e '.[dev,bench]'
	$(PY) -m bench $(BENCH_ARGS)

package: install
	$(PY) -m bot package

doctor: install
	$(PY) -m bot doctor

playground: install js
	bash scripts/playground.sh

# Regenerate docs/screenshots/ from Microsoft's renderer and the Agents Playground (needs Node and Chromium).
screenshots: dev js
	$(PY) -m pytest -q tests/test_card_render.py tests/test_playground_e2e.py
	$(PY) scripts/screenshots.py

clean:
	rm -rf build .pytest_cache
