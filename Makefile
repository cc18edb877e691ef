# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint bench package playground doctor clean install dev

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

test: dev
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: dev
	$(PIP) install -e '.[dev,bench]'
	$(PY) -m bench $(BENCH_ARGS)

package: install
	$(PY) -m bot package

doctor: install
	$(PY) -m bot doctor

playground: install
	bash scripts/playground.sh

clean:
	rm -rf build .pytest_cache
