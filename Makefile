# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint bench package playground doctor clean install dev js screenshots fuzz

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

test: dev js
	$(PY) -m ruff check .
	$(PY) -m pytest -q

# The long fuzz run: 10,000 generated activities on SQLite and 10,000 on PostgreSQL (skipped without PostgreSQL).
fuzz: dev
	FUZZ_EXAMPLES=10000 $(PY) -m pytest -q -s tests/test_fuzz.py

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
