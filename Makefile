# Two commands do all set-up on a fresh machine:
#   make demo   install, then run the whole graph on the embedded default (bundled samples, local teacher, CPU)
#   make test   install, then run the test suite
# Every install comes from the lock in requirements/ (make lock refreshes it; make test-latest tries the
# open ranges of pyproject.toml in a throwaway venv before they are locked).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The pinned set to install: requirements/lock.txt, or requirements/paddle.txt (the same with PaddleOCR).
LOCK ?= requirements/lock.txt
# torch goes in first and alone, the CPU build pinned in the lock, so that nothing pulls the CUDA wheels.
# On this project's machines pip finds that wheel on disk; elsewhere:
#   make TORCH_INDEX=https://download.pytorch.org/whl/cpu demo
TORCH_INDEX ?=
TORCH_PIN = $(shell grep -m1 '^torch==' $(LOCK))
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export MODEL_CACHE ?= $(CURDIR)/.cache/models

.PHONY: install demo test lint dev register validate lock test-latest clean review

$(VENV)/.installed: $(LOCK) requirements/bootstrap.txt pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps -r requirements/bootstrap.txt
	$(PY) -m pip install --quiet --no-deps $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_PIN)" \
	  || { echo "$(TORCH_PIN) (the CPU build) was not found: make TORCH_INDEX=https://download.pytorch.org/whl/cpu ..."; exit 1; }
	$(PY) -m pip install --quiet --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	echo $(LOCK) > $@

install: $(VENV)/.installed

# Dagster refuses a DAGSTER_HOME that does not exist.
$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME) && touch $@

demo: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines demo

# PYTEST_ARGS narrows a run, e.g. make test PYTEST_ARGS='-m "not e2e"'
PYTEST_ARGS ?=
test: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The review page of the data root on http://127.0.0.1:8765 (REVIEW_ARGS='--port 9000', '--host 0.0.0.0').
REVIEW_ARGS ?=
review: install
	$(PY) -m pipelines review $(REVIEW_ARGS)

dev: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -w workspace.yaml

register: install $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines register

validate: install $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster definitions validate -w workspace.yaml

# Re-resolve every pinned set from pyproject.toml's ranges (needs uv: the dev extra has it).
# UV_LOCK_ARGS adds e.g. --upgrade-package transformers; LOCK_FIND_LINKS is where the CPU torch wheel is.
LOCK_FIND_LINKS ?= $(or $(wildcard /opt/wheels),https://download.pytorch.org/whl/cpu/torch/)
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_28 $(UV_LOCK_ARGS)
# uv alone (the locked one): a pyproject that gained a dependency cannot pass `install` before it is locked
$(VENV)/bin/uv:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$$(grep -m1 '^uv==' $(LOCK))"
lock: $(VENV)/bin/uv
	$(UV_COMPILE) requirements/bootstrap.in -o requirements/bootstrap.txt
	$(UV_COMPILE) pyproject.toml --extra train --extra dev --extra k8s --find-links $(LOCK_FIND_LINKS) \
	  -c requirements/cpu-torch.txt -o $(LOCK)
	$(UV_COMPILE) pyproject.toml --extra train --extra dev --extra k8s --extra paddle \
	  --find-links $(LOCK_FIND_LINKS) -c requirements/cpu-torch.txt -o requirements/paddle.txt
	$(UV_COMPILE) pyproject.toml --extra train --extra gpu --extra k8s -o requirements/gpu.txt
	@echo "lock refreshed: review git diff requirements/, then make test (it rebuilds $(VENV))"

# The suite against whatever the open ranges resolve today, in a throwaway venv (the lock is not touched).
LATEST_VENV ?= /tmp/r1-distill-latest
test-latest: $(DAGSTER_HOME)/dagster.yaml
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_PIN)"
	$(LATEST_VENV)/bin/pip install --quiet -e ".[train,dev,k8s]"
	$(LATEST_VENV)/bin/pip freeze --all --exclude-editable > $(LATEST_VENV)/resolved.txt
	@$(LATEST_VENV)/bin/python -c 'import re, sys; pins = lambda path: {re.sub(r"[-_.]+", "-", n).lower(): v for n, v in re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)", open(path).read())}; old, new = pins(sys.argv[1]), pins(sys.argv[2]); print("\n".join(f"{n}: {old.get(n)} -> {new.get(n)}" for n in sorted(old.keys() | new.keys()) if old.get(n) != new.get(n)) or "today resolves the same versions as the lock")' $(LOCK) $(LATEST_VENV)/resolved.txt
	PIPELINE_UNLOCKED=1 $(LATEST_VENV)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf data .dagster .pytest_cache .ruff_cache
