# Two commands on a fresh clone:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: run test venv migrate demo lint clean drill serve

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# axe-core for the browser tests' accessibility walk, from tests/e2e/package-lock.json.
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: venv
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

# DEMO=--history also records the program's past awards since FY1999 (a few minutes more);
# DEMO=--national the same with each one's ledger entry by entry (about a million entries).
demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo $(DEMO)

# Sets up, loads the demo program, prints a log-in per role and serves the app, with a
# background worker beside it (prepared downloads); the worker stops when the server does.
run: demo
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 DJANGO_MFA_DEMO_TOTP_FOR_STAFF=1 $(PY) manage.py runserver localhost:$(PORT)

# Production (docs/deploy.md): collects the static files, applies the migrations (with no
# statement timeout: a migration may rewrite a large table) and serves with gunicorn
# (gunicorn.conf.py). The settings come from the environment (.env.example lists them).
serve:
	$(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DB_STATEMENT_TIMEOUT_MS=0 $(PY) manage.py migrate --noinput
	PORT=$(PORT) exec $(VENV)/bin/gunicorn --config gunicorn.conf.py

# Sets up and runs the whole test suite on the database DATABASE_URL names
# (SQLite by default), on two processes (pyproject.toml); PYTEST_ARGS="-n 0" runs it in one.
test: venv $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

# Backs up the database DATABASE_URL names (SQLite by default), restores it into a scratch
# database and runs check_ledgers and verify_audit on the copy (docs/operations.md).
drill: migrate
	DJANGO_DEBUG=1 $(PY) manage.py backup_drill

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache tests/e2e/node_modules tests/e2e/axe-results
