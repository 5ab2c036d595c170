# csp-book: two commands do all the set-up on a fresh machine.
#   make book   installs into .venv, makes the demo data, builds Blackpool 2016/17
#               (and npm, from Debian's packages, only when no npm runs)
#   make test   runs the linters and every test (unit, golden, notebooks, end to end, JupyterLab)
#               (and chromium and poppler-utils, from Debian's packages, when missing; .venv-lab)
#   make lab    opens JupyterLab on notebooks/ with the project's kernel
#   make pdf    the book and Blackpool 2016/17's committee paper (PDF)
#   make preview  the book served on http://127.0.0.1:8000/ (PORT=...), rebuilt and reloaded at each save
#               (and chromium and poppler-utils, from Debian's packages, when missing)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/demo
AREA ?= Blackpool
PERIOD ?= 2016/17
JOBS ?=
# pytest-xdist: the tests in that many processes (auto: one a core); the demo site's tests in one of them
# (and the 20 slowest named at the end, so that a CI log says where the time goes)
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=20

LAB := .venv-lab

.PHONY: setup system-book system-pdf demo-data book pdf preview test unit lint lab clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (csp-book)" >/dev/null
	touch $(STAMP)

# System commands, each installed from Debian's packages only when it is missing here
# (tools/system-packages.sh; checked on every run, no stamp file): the book needs npm (for the
# pinned chart scripts and axe-core; an npm that runs, e.g. Node.js's own, is never replaced);
# the committee paper and the tests also need Debian's headless chromium, which prints the
# paper, and poppler-utils, which reads it back (page numbers of the contents, tests).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
SYSTEM_PACKAGES := SUDO="$(SUDO)" tools/system-packages.sh
system-book:
	@$(SYSTEM_PACKAGES) npm
system-pdf: system-book
	@$(SYSTEM_PACKAGES) chromium pdftotext pdftoppm

# axe-core (npm registry, pinned in tests/a11y/package-lock.json): the accessibility rules the tests run
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json | system-book
	npm ci --prefix tests/a11y --no-audit --no-fund --silent
	touch $@

# Vega, Vega-Lite and vega-embed (npm registry, pinned in js/package-lock.json): the site serves its own copies,
# which draw the charts in the reader's browser
CHARTS := js/node_modules/vega-embed/build/vega-embed.min.js
$(CHARTS): js/package.json js/package-lock.json | system-book
	npm ci --prefix js --no-audit --no-fund --silent
	touch $@

setup: system-pdf $(STAMP) $(AXE) $(CHARTS)

# the demo data is generated (deterministic), never committed
$(DATA)/crimes.csv: $(STAMP) csp_lib/demo.py
	$(BIN)/csp demo-data --output $(DATA)

demo-data: $(DATA)/crimes.csv

book: system-book demo-data $(CHARTS)
	$(BIN)/csp build --data $(DATA) --area "$(AREA)" --period "$(PERIOD)" $(if $(JOBS),--jobs $(JOBS))

# csp preview: builds as `make book` does, serves _build/html on 127.0.0.1:$(PORT) (search included), builds
# again when commentary/, a cover.yml, a notebook or the data folder is saved, and reloads the open pages
PORT ?= 8000
preview: system-book demo-data $(CHARTS)
	$(BIN)/csp preview --data $(DATA) --area "$(AREA)" --period "$(PERIOD)" --port $(PORT) $(if $(JOBS),--jobs $(JOBS))

pdf: system-pdf demo-data $(CHARTS)
	$(BIN)/csp build --data $(DATA) --area "$(AREA)" --period "$(PERIOD)" --pdf $(if $(JOBS),--jobs $(JOBS))

# .venv-lab too: tests/test_lab.py runs a section notebook in JupyterLab, in chromium, and sees every chart drawn
test: system-pdf demo-data lint $(AXE) $(CHARTS) $(LAB)/.installed
	$(PYTEST)

# ruff, import-linter (the stages, no import cycle), nbstripout, large-file and secret checks
# (.pre-commit-config.yaml); needs a git work tree
lint: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files --show-diff-on-failure

# JupyterLab lives in its own environment; its kernel "python3" is the project's .venv
$(LAB)/.installed: requirements-lab.txt $(STAMP)
	$(PYTHON) -m venv $(LAB)
	$(LAB)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	$(BIN)/python -m ipykernel install --prefix $(LAB) --name python3 --display-name "Python 3 (csp-book)" >/dev/null 2>&1
	touch $@

lab: $(LAB)/.installed demo-data
	cd notebooks && ../$(LAB)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# tests/ only: --ignore=notebooks cannot drop a folder that testpaths names, and the eight notebooks
# (a kernel each, the figures computed in each) were half of make unit's time
unit: $(STAMP)
	$(PYTEST) -m "not slow" tests

# what a build makes again: its caches, logs and generated pages. Not the published site (_build/html and the
# folder it points to) nor its archive of editions (_build/editions): a report published from another data
# folder, or an earlier edition, cannot be made again from today's data. Not _toc.yml either (committed).
clean:
	rm -rf _build/cache _build/logs _build/build.digest _build/site.digest _build/work _build/html.new book/reports book/_generated
	@if [ -e _build/html ] || [ -d _build/editions ]; then \
	  echo "make clean: the published site and its editions are kept (_build/html, _build/editions); delete _build/ by hand to drop every published edition"; fi
