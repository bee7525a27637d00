# Two commands on a fresh machine with python3, pip and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint bench notebooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/spott-migrate demo

test: $(STAMP)
	$(BIN)/ruff check src tests sample_data $(wildcard benchmarks notebooks)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests sample_data $(wildcard benchmarks notebooks)
	$(BIN)/mypy

notebooks: $(STAMP)
	$(BIN)/python notebooks/tools/build_notebooks.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf demo-run .pytest_cache build *.egg-info src/*.egg-info
