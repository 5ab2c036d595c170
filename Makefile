# csp-book: two commands do all the set-up on a fresh machine.
#   make book   installs into .venv, makes the demo data, builds Blackpool 2016/17
#   make test   runs every test (unit, golden, notebooks, end to end)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/demo
AREA ?= Blackpool
PERIOD ?= 2016/17
JOBS ?=

.PHONY: setup demo-data book test unit clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (csp-book)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# the demo data is generated (deterministic), never committed
$(DATA)/crimes.csv: $(STAMP) csp_lib/demo.py
	$(BIN)/csp demo-data --output $(DATA)

demo-data: $(DATA)/crimes.csv

book: demo-data
	$(BIN)/csp build --data $(DATA) --area "$(AREA)" --period "$(PERIOD)" $(if $(JOBS),--jobs $(JOBS))

test: demo-data
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" --ignore=notebooks

clean:
	rm -rf _build book/reports book/_generated
