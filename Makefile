# Two commands on a fresh machine: `make run` and `make test`. Everything else installs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench lint typecheck install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/mock-interview interview --persona ceo

lint: $(STAMP)
	$(BIN)/ruff check agent tests evals bench
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/pytest

eval: $(STAMP)
	$(BIN)/mock-interview eval --engine offline

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) artifacts .mypy_cache .ruff_cache
