# Two commands for a fresh machine: `make run` (application with demo data) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TIMER_INTERVAL ?= 60

.PHONY: install run test quality

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The timer runner fires viewflow's due timers (reminders, escalations) every TIMER_INTERVAL
# seconds while the development server runs, and one worker runs the background jobs (imports,
# large exports: django-tasks' database queue); all three stop together. They get PORT: links
# in e-mails lead to the port served (config/settings/local.py).
run: export PORT := $(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py import_parcours demo/historique_parcours.csv
	$(PY) manage.py run_workflow_timers --interval $(TIMER_INTERVAL) & \
	timers=$$!; \
	$(PY) manage.py db_worker --no-reload & \
	worker=$$!; trap 'kill $$timers $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

# The suite runs on every core (pytest-xdist; each worker has its own test database).
# PYTEST_ARGS passes more options: `make test PYTEST_ARGS="--reuse-db tests/reporting"`.
# The browser journeys (tests/navigateur/) need Chromium (CHROMIUM, /usr/bin/chromium by
# default): without it they are skipped, and -rs prints how many on one line with the reason.
test: install
	$(VENV)/bin/pytest --numprocesses auto -rs $(PYTEST_ARGS)

quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
