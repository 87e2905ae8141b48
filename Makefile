# The two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint bench clean translations

# OpenSeadragon, pinned in viewer/frontend/package-lock.json, served from the app's own
# static files (no CDN); without it the viewer shows the plain page images.
VENDOR := viewer/static/vendor

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The demo's fee account and its online payment, which goes to the TEST Bezahldienst
# (tests/xbezahldienste_provider.py: speaks XBezahldienste, takes no money).
DEMO_PAYDIENST := http://127.0.0.1:5001
DEMO_ENV := BAUAKTE_PAYMENT_PROVIDER=xbezahldienste BAUAKTE_PAYDIENST_URL=$(DEMO_PAYDIENST) \
	BAUAKTE_PAYDIENST_ORIGINATOR_ID=bauakte BAUAKTE_PAYDIENST_ENDPOINT_ID=03404000 \
	BAUAKTE_PAYDIENST_USER=bauakte BAUAKTE_PAYDIENST_PASSWORD=test-password \
	BAUAKTE_PAYDIENST_NOTIFICATION_KEY=test-notification-key-of-32-characters! \
	BAUAKTE_BANK_IBAN=DE02120300000000202051 BAUAKTE_BANK_BIC=BYLADEM1001 \
	BAUAKTE_BANK_NAME=Demo-Bank BAUAKTE_AUTHORITY_ADDRESS="Musterplatz 1|50667 Köln"

$(VENDOR)/.installed: viewer/frontend/package-lock.json
	npm ci --prefix viewer/frontend --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/openseadragon
	cp viewer/frontend/node_modules/openseadragon/build/openseadragon/openseadragon.min.js \
		viewer/frontend/node_modules/openseadragon/LICENSE.txt $(VENDOR)/openseadragon/
	touch $@

demo: $(VENV)/.installed $(VENDOR)/.installed
	scripts/system-deps.sh demo
	$(BIN)/bauakte init
	$(DEMO_ENV) $(BIN)/bauakte demo
	@echo "Serving the demo archive on http://127.0.0.1:5000/ and the test Bezahldienst on $(DEMO_PAYDIENST) (Ctrl+C stops)"
	$(BIN)/python -m tests.xbezahldienste_provider --port 5001 & provider=$$!; \
	trap 'kill $$provider 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/bauakte serve --host 127.0.0.1 --port 5000

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

# A Fraktur face for the generated old pages the OCR tests and bench read (ingest/demo/old_print.py).
fonts/node_modules/.installed: fonts/package-lock.json
	npm ci --prefix fonts --no-audit --no-fund --silent
	touch $@

test: $(VENV)/.installed tests/browser/node_modules/.installed fonts/node_modules/.installed \
		$(VENDOR)/.installed
	scripts/system-deps.sh test
	$(BIN)/ruff check .
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python -m pytest

# The quick loop while editing: everything but the slow fault and concurrency tests.
test-fast: $(VENV)/.installed tests/browser/node_modules/.installed fonts/node_modules/.installed \
		$(VENDOR)/.installed
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python -m pytest -m "not slow" -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed fonts/node_modules/.installed
	scripts/system-deps.sh demo
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python bench/storage_bench.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/demo_quality.py
	$(BIN)/python bench/ocr_quality.py
	$(BIN)/python bench/viewer_load.py
	$(BIN)/python bench/access_bench.py
	$(BIN)/python bench/extract_bench.py
	$(BIN)/python bench/tile_bench.py

# The server stack at city scale (an hour or more on 2 cores: 1M pages built three ways)
bench-cluster: $(VENV)/.installed
	scripts/system-deps.sh test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/python bench/stack_load.py
	$(BIN)/python bench/cluster_bench.py --pages 1000000 --files 50000 --heap 2g

# After changing UI texts: extract them, merge into the catalogues, translate, compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 --no-location --omit-header \
		-o viewer/translations/messages.pot viewer
	$(BIN)/pybabel update -i viewer/translations/messages.pot -d viewer/translations --width 100
	$(BIN)/pybabel compile -d viewer/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
