# Two commands on a fresh machine: `make run` (app on the demo workspaces) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACES := workspaces/500231.gpkg workspaces/500110.gpkg workspaces/510821.gpkg
DATA := $(wildcard data/sources/* data/plans/*.csv) $(wildcard layers/*.py geo/*.py)

.PHONY: run test build bench lint clean

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

$(WORKSPACES) &: $(STAMP) $(DATA)
	$(BIN)/python -m layers build

build: $(WORKSPACES)

run: build
	@echo "Workspaces built in ./workspaces (see summary above)."

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check geo layers tests
	$(BIN)/mypy geo

bench: build
	$(BIN)/python -m layers build 500231 >/dev/null

clean:
	rm -rf $(VENV) workspaces .pytest_cache .bench
