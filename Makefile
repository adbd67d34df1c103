# The README's commands. Only Python 3.11+ and make are needed: everything else
# goes into .venv, and re-running is fast when pyproject.toml has not changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-testing-dev
# Python 3.13 for the highest corner: on PATH, else pyenv's (its shim fails unless selected).
PY313 ?= $(firstword $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))

.PHONY: install sandbox test test-postgres test-browser screenshot bench load lint format tox-corners clean

.DEFAULT_GOAL := help

## make help: this list, from the comments above the targets (plain `make` prints it)
.PHONY: help
help:
	@awk '/^## / { sub(/^## /, ""); text = text (text == "" ? ";" : " ") $$0; next } \
		text != "" { n = split(text, entry, /; ?make /); \
			for (i = 2; i <= n; i++) { \
				name = entry[i]; sub(/:.*/, "", name); \
				desc = entry[i]; sub(/^[^:]*: */, "", desc); sub(/;? *$$/, "", desc); \
				printf "  make %-18s %s\n", name, desc } } \
		{ text = "" }' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[testing,dev]"
	touch $@

## make install: the virtualenv .venv with the package and its testing and dev extras
install: $(STAMP)

## make sandbox: migrate, load the demo, print the admin login, serve on 127.0.0.1:$(PORT)
sandbox: $(STAMP)
	$(BIN)/python sandbox/manage.py migrate --noinput
	$(BIN)/python sandbox/manage.py load_demo --port $(PORT)
	$(BIN)/python sandbox/manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on pytest-xdist's workers, one per core (at most 4); WORKERS=0 runs it
# in one process. tests/parallel.py builds the databases the workers share.
WORKERS ?= auto
XDIST := -n $(WORKERS) --maxprocesses 4 --maxschedchunk 4

## make test: the whole suite (SQLite, or the database in DATABASE_URL)
test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST)

## make test-postgres: the whole suite on a throwaway PostgreSQL cluster of its own
test-postgres: $(STAMP)
	scripts/with-postgres $(BIN)/python -m pytest $(XDIST)

## make test-browser: only the browser suite (Playwright + Debian's Chromium)
test-browser: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m browser

## make test-swapped-page: migrate, create, render, Recent Posts and the admin listing on a
## site that swaps its base page model (Wagtail 8's WAGTAIL_PAGE_MODEL)
.PHONY: test-swapped-page
test-swapped-page: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) --ds=tests.settings_swapped_page tests/test_migrations.py \
		tests/test_page_types.py tests/test_rendering.py tests/test_recent_posts.py \
		tests/test_modeladmin.py

## make test-tutorial: follow docs/tutorial.md on a new `wagtail start` site in a new virtualenv
.PHONY: test-tutorial
test-tutorial: $(STAMP)
	$(BIN)/python -m pytest -m tutorial tests/test_tutorial.py

## make docs: the docs with `mkdocs build --strict` into site/ (ignored by git)
.PHONY: docs
docs: $(VENV)/.installed-docs
	$(BIN)/mkdocs build --strict --site-dir site

$(VENV)/.installed-docs: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[docs]"
	touch $@

## make messages: update the catalogues in src/wagtail_mediawire/locale/ from the source
## (ADD_LANGUAGE=pt_BR starts a new one); make compile-messages: their .mo files;
## make check-messages: fail if they are out of date, incomplete or not compiled (CI)
.PHONY: messages compile-messages check-messages
MESSAGES := cd src/wagtail_mediawire && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django

messages: $(STAMP)
	$(MESSAGES) makemessages --no-obsolete $(if $(ADD_LANGUAGE),-l $(ADD_LANGUAGE),--all)

compile-messages: $(STAMP)
	$(MESSAGES) compilemessages

check-messages: $(STAMP)
	$(BIN)/python scripts/check-messages

## make screenshot: retake the README's and the docs' screenshots with the browser suite
screenshot: $(STAMP)
	MEDIAWIRE_README_SCREENSHOT=1 MEDIAWIRE_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser

## make bench: every figure beside its baseline, one table per database (SQLite, PostgreSQL); writes docs/benchmarks-*.json and the plots
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	scripts/with-postgres $(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/stories.py

## make load: the sandbox on gunicorn and Redis under wrk while articles change, on PostgreSQL then SQLite
load: $(STAMP)
	scripts/with-postgres $(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/load.py --sqlite

## make kill-latency: 20 agency kills under load, each timed until gone from every output
.PHONY: kill-latency
kill-latency: $(STAMP)
	scripts/with-postgres $(BIN)/python benchmarks/kill_latency.py

## make lint: ruff (check and format) and the import contract (docs/explanation/architecture.md)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make format: ruff's fixes and formatting
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make tox-corners: the lowest and highest corner of the supported matrix
tox-corners: $(STAMP)
	@test -n "$(PY313)" || { echo "make: no Python 3.13 found; set PY313=/path/to/python3.13"; exit 1; }
	$(BIN)/tox -e py311-wagtail74-django52-sqlite
	scripts/with-postgres $(BIN)/tox --discover $(PY313) -e py313-wagtail80-django61-postgres

## make clean: remove the virtualenv, caches, the sandbox's database and test artifacts
clean:
	rm -rf $(VENV) .tox .pytest_cache .ruff_cache sandbox/db.sqlite3 sandbox/media test-artifacts benchmarks/.cache
