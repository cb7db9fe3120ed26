# Two commands on a fresh machine: `make run` (app on the demo workspaces) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACES := workspaces/500231.gpkg workspaces/500110.gpkg workspaces/510821.gpkg workspaces/500000.gpkg
DATA := $(wildcard data/sources/* data/plans/*.csv) $(wildcard layers/plans/*.py layers/jobs/*.py)

VENDOR := static/vendor/.stamp
ONEMAP := static/onemap/onemap.js static/onemap/onemap.css
SYSDEPS := .venv/.sysdeps

.PHONY: run test build bench lint clean

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

$(WORKSPACES) &: $(STAMP) $(DATA)
	$(BIN)/python -m layers build

# Leaflet and plugins from the npm registry, served by Streamlit from ./static (never a CDN)
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor
	cp -r node_modules/leaflet/dist static/vendor/leaflet
	cp -r node_modules/leaflet.markercluster/dist static/vendor/markercluster
	touch $(VENDOR)

# The map's own browser code, served beside Leaflet (layers/render/webmap.py also refreshes this copy when imported)
$(ONEMAP) &: layers/render/onemap.js layers/render/onemap.css
	mkdir -p static/onemap
	cp layers/render/onemap.js layers/render/onemap.css static/onemap/

# Debian packages for browser tests, CJK text and the PostgreSQL store tests: chromium, fonts, poppler
# (pdffonts/pdftoppm), PostgreSQL 15 with PostGIS 3 (the tests start a private cluster of their own)
$(SYSDEPS): $(STAMP)
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null || ! fc-list | grep -qi "noto sans cjk" \
		|| [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils \
		postgresql postgresql-15-postgis-3 >/dev/null; fi
	touch $(SYSDEPS)

build: $(WORKSPACES)

run: build $(VENDOR) $(ONEMAP)
	$(BIN)/streamlit run app.py

test: $(STAMP) $(VENDOR) $(ONEMAP) $(SYSDEPS)
	$(BIN)/ruff check geo layers ui app.py tests
	$(BIN)/mypy geo
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check geo layers tests
	$(BIN)/mypy geo

.PHONY: eval
eval: $(STAMP)
	$(BIN)/python tests/bench/eval_extract.py

bench: $(STAMP) $(VENDOR) $(ONEMAP) $(SYSDEPS)
	$(BIN)/python tests/bench/run_bench.py

# A local PostgreSQL + PostGIS server for the shared store; its URL is the last line printed:
#   export ONEMAP_STORE="$$(make -s postgis | tail -n 1)"
.PHONY: postgis
postgis:
	@sh .ci/postgis.sh

clean:
	rm -rf $(VENV) workspaces .pytest_cache .bench
