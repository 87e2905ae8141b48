# The two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint bench clean translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	scripts/system-deps.sh demo
	$(BIN)/bauakte init
	$(BIN)/bauakte demo
	@echo "Serving the demo archive on http://127.0.0.1:5000/ (Ctrl+C stops)"
	$(BIN)/bauakte serve --host 127.0.0.1 --port 5000

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

test: $(VENV)/.installed tests/browser/node_modules/.installed
	scripts/system-deps.sh test
	$(BIN)/ruff check .
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python -m pytest

# The quick loop while editing: everything but the slow fault and concurrency tests.
test-fast: $(VENV)/.installed tests/browser/node_modules/.installed
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python -m pytest -m "not slow" -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	scripts/system-deps.sh demo
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	BAUAKTE_MINIO_BIN="$$(scripts/build-minio.sh)" $(BIN)/python bench/storage_bench.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/viewer_load.py
	$(BIN)/python bench/access_bench.py

# After changing UI texts: extract them, merge into the catalogues, translate, compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header \
		-o viewer/translations/messages.pot viewer
	$(BIN)/pybabel update -i viewer/translations/messages.pot -d viewer/translations --width 100
	$(BIN)/pybabel compile -d viewer/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
