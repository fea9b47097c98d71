# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= hrapp-demo-2026
# The suite runs in one process per core (pytest-xdist); the browser journeys and the page reader
# each stay in one process (tests/conftest.py), so the demo agency is loaded once for each.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test lint format typecheck test-sqlite test-postgres test-redis test-browser bench install sysdeps translations serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

sysdeps:
	bash scripts/system-packages.sh fonts

## demo: install, migrate, load demo data, serve on http://127.0.0.1:5000 with the job worker
demo: sysdeps install
	$(BIN)/hrapp db upgrade
	$(BIN)/hrapp demo load --password '$(DEMO_PASSWORD)'
	@$(MAKE) --no-print-directory serve

serve:
	@bash scripts/serve.sh $(HOST) $(PORT)

## test: ruff, mypy on scoring/, then the whole suite on SQLite and again on PostgreSQL 15.
## The browser journeys (tests/browser, Playwright + Debian's Chromium) run once, in the
## SQLite pass: they test pages, forms and scripts, which do not change with the database
## (run them on PostgreSQL with `scripts/with-postgres.sh .venv/bin/pytest tests/browser`).
## The job tests run on both queues: on SQLite in those passes, on Redis in a last one.
test: install
	bash scripts/system-packages.sh fonts postgres chromium pdftools redis
	$(MAKE) --no-print-directory lint typecheck test-sqlite test-postgres test-redis

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

# HRAPP_REQUIRE_BROWSER: a missing Chromium fails the browser tests instead of skipping them.
test-sqlite: install
	HRAPP_REQUIRE_BROWSER=1 $(PYTEST)

test-postgres: install
	bash scripts/with-postgres.sh $(PYTEST) --ignore=tests/browser

# The job tests' Redis variants (marked `redis`) on a throwaway Redis on a private socket.
# HRAPP_REQUIRE_REDIS: a missing REDIS_URL fails them instead of skipping them.
test-redis: install
	HRAPP_REQUIRE_REDIS=1 bash scripts/with-redis.sh $(BIN)/pytest -q -p no:cacheprovider -m redis tests/hrapp

test-browser: install
	bash scripts/system-packages.sh chromium
	HRAPP_REQUIRE_BROWSER=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser

# The `_pg` benchmarks run on a throwaway PostgreSQL 15 cluster (the others ignore it).
bench: install sysdeps
	bash scripts/system-packages.sh postgres
	bash scripts/with-postgres.sh $(BIN)/python -m benchmarks

# Extract every user-facing string, merge it into the catalogs, compile them (the .mo files are
# committed). New strings arrive untranslated and changed ones as fuzzy: translate them in
# hrapp/translations/*/LC_MESSAGES/messages.po and run this again (tests/hrapp/foundation/
# test_translations.py fails until every entry is translated).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k message \
		--add-comments=TRANSLATORS: --project=hrapp -o hrapp/translations/messages.pot .
	$(BIN)/pybabel update -i hrapp/translations/messages.pot -d hrapp/translations
	$(BIN)/pybabel compile --statistics -d hrapp/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
