# Two commands do all set-up on a fresh machine:
#   make demo   install, then run the whole graph on the embedded default (bundled samples, local teacher, CPU)
#   make test   install, then run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# torch goes in first and alone: a CPU build, so that nothing pulls the CUDA wheels (GBs).
# Elsewhere: make TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export MODEL_CACHE ?= $(CURDIR)/.cache/models

.PHONY: install demo test lint dev register validate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[train,dev]"
	touch $@

install: $(VENV)/.installed

# Dagster refuses a DAGSTER_HOME that does not exist.
$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME) && touch $@

demo: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines demo

test: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

dev: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -w workspace.yaml

register: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines register

validate: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster definitions validate -w workspace.yaml

clean:
	rm -rf data .dagster .pytest_cache .ruff_cache
