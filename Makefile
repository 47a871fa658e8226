# Écrin: the two commands are `make run` (demo) and `make test` (the suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.11 found on the machine, unless PYTHON is given.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv run serve test lint format messages worker beat bench loadtest clean

help:
	@echo "make run    - demo back office with demo data on http://$(HOST):$(PORT)/admin/"
	@echo "make serve  - gunicorn with production-like settings on http://$(HOST):$(PORT)/admin/"
	@echo "make test   - the whole test suite"
	@echo "make lint   - ruff check, ruff format --check, import layers, makemigrations --check"
	@echo "make messages - refresh the French catalogues from the code, then compile them"
	@echo "make worker - a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat   - the Celery beat scheduler (needs CELERY_BROKER_URL)"
	@echo "make bench  - the benchmarks (needs PostgreSQL, see README)"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python >= 3.11 found: install one or pass PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/.installed

run: venv
	@$(BIN)/python -c "import socket, sys; s = socket.socket(); \
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
	exec('try:\n s.bind((\"$(HOST)\", $(PORT)))\nexcept OSError:\n sys.exit(\"Port $(PORT) on $(HOST) is already in use: stop what is serving there, or run make run PORT=8001.\")')"
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Écrin is serving on http://$(HOST):$(PORT)/admin/ (Ctrl-C stops it)"
	@echo "Mail (password-reset links) is printed in this terminal unless EMAIL_URL is set."
	$(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

# Production-like: gunicorn, hashed static files through whitenoise, JSON
# logs, DEBUG off. Secure cookies, the HTTPS redirect and HSTS follow
# ECRIN_ENVIRONMENT (off in demo; set SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0
# to run staging settings over plain HTTP); config.serve says which are off.
serve: venv
	STATIC_MANIFEST=$${STATIC_MANIFEST:-1} LOG_FORMAT=$${LOG_FORMAT:-json} \
	WEB_BIND=$(HOST):$(PORT) $(BIN)/python -m config.serve

test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m core.layers
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every app's catalogue (<app>/locale/) and the project's (locale/: config/
# and templates/) in one pass; .mo files are committed (decision 0029).
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=var
messages: venv
	$(BIN)/python manage.py makemessages -l fr --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l fr $(MESSAGES_IGNORE)

worker: venv
	$(BIN)/celery -A config worker --loglevel=INFO

beat: venv
	$(BIN)/celery -A config beat --loglevel=INFO

bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)

# Load test (bench/loadtest.py): locust against gunicorn then runserver.
loadtest: venv
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var
