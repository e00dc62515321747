"""`make run` keeps running: its server and its timer runner share one SQLite file, and the
timer runner outlives a pass that fails."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler
from django.test import TestCase

from tests.factories import UserFactory
from workflows.notifications import notifier

ROOT = Path(__file__).resolve().parent.parent
RUNNER = "workflows.management.commands.run_workflow_timers"


def reglages(module, *noms, **environnement):
    """The values of settings `noms` that config.settings.`module` computes in a fresh process
    from this environment (without the caller's DATABASE_URL, SITE_URL and PORT)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL", "PORT")}
    env.update(environnement)
    code = (
        f"import json; from config.settings import {module} as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(noms)!r}}}, default=str))"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(sortie.stdout)


@pytest.fixture
def base_locale(tmp_path, django_db_blocker):
    """A Django connection to a SQLite file, configured as the local run configures its own."""
    reglage = reglages("local", "DATABASES")["DATABASES"]["default"]
    reglage["NAME"] = str(tmp_path / "db.sqlite3")
    connexion = connections["locale"] = ConnectionHandler({"default": {}, "locale": reglage})[
        "locale"
    ]
    with django_db_blocker.unblock():
        with connexion.cursor() as cursor:
            cursor.execute("CREATE TABLE echeance (id INTEGER PRIMARY KEY)")
        yield connexion
        connexion.close()
    del connections["locale"]


def test_the_local_run_shares_its_sqlite_file_without_locking_out_the_timer_runner(base_locale):
    with base_locale.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert cursor.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        # A writer waits for the current one (an import: several seconds) instead of failing.
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (30000,)

    autre = sqlite3.connect(base_locale.settings_dict["NAME"], timeout=0)
    with transaction.atomic(using=base_locale.alias):
        # The transaction owns the write lock from its first statement, even a read: it can
        # never be refused an upgrade halfway through...
        base_locale.cursor().execute("SELECT count(*) FROM echeance")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            autre.execute("BEGIN IMMEDIATE")
        base_locale.cursor().execute("INSERT INTO echeance DEFAULT VALUES")
        # ...and the pages still read while it writes.
        assert autre.execute("SELECT count(*) FROM echeance").fetchone() == (0,)
    assert autre.execute("SELECT count(*) FROM echeance").fetchone() == (1,)
    autre.close()


def test_postgresql_keeps_its_own_options():
    url = "postgres://parcours@db:5432/parcours"
    reglage = reglages("local", "DATABASES", DATABASE_URL=url)["DATABASES"]["default"]
    assert reglage["ENGINE"] == "django.db.backends.postgresql"
    # None of SQLite's; only the JIT turned off (config/settings/base.py).
    assert reglage["OPTIONS"] == {"options": "-c jit=off"}


def test_the_timer_runner_survives_a_locked_database_and_tries_again_at_the_next_pass(
    caplog, django_db_blocker
):
    """During a big import the database was locked: that pass fails, is logged with its
    traceback, the other jobs of the pass still run, and the next pass runs them all."""
    lances = []

    def sous_commande(nom, **options):
        lances.append(nom)
        if nom == "workflow_timers" and lances.count(nom) == 1:
            raise OperationalError("database is locked")

    # The third sleep is interrupted as Ctrl-C would: the runner stops, it does not swallow it.
    with (
        mock.patch(f"{RUNNER}.call_command", side_effect=sous_commande),
        mock.patch(f"{RUNNER}.time.sleep", side_effect=[None, None, KeyboardInterrupt]) as dort,
        pytest.raises(KeyboardInterrupt),
        django_db_blocker.unblock(),  # between jobs it drops a connection that broke
    ):
        call_command("run_workflow_timers", "--interval", "60")

    passage = ["ouvrir_etats_remuneration", "workflow_timers", "signaler_contacts_manques"]
    assert lances == passage * 3
    assert dort.call_args_list == [mock.call(60)] * 3
    (echec,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "workflow_timers" in echec.getMessage()
    assert "database is locked" in caplog.text  # the traceback
    assert echec.exc_info is not None


def test_the_local_run_serves_like_production_with_its_static_files_and_any_port():
    """DEBUG off (a wrong link shows the French page, not the list of every URL), yet the
    pages keep their styles without collectstatic, on whatever port `make run` serves."""
    code = """
import django
django.setup()
from django.test import Client
navigateur = Client(HTTP_HOST="127.0.0.1:8123")
for url in ("/static/del.css", "/static/viewflow/css/viewflow.min.css", "/nulle-part/"):
    page = navigateur.get(url)
    contenu = (b"".join(page.streaming_content) if page.streaming else page.content).decode()
    print(page.status_code, "Page introuvable" in contenu, "urlpatterns" in contenu)
print(Client(HTTP_HOST="localhost:8080").get("/static/del.css").status_code)
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL", "PORT")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    sortie = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert sortie.stdout.split("\n")[:4] == [
        "200 False False",
        "200 False False",
        "404 True False",
        "200",
    ], sortie.stderr


@pytest.mark.parametrize("port", ["8080", None])
def test_make_run_gives_its_port_to_the_server_and_the_timer_runner(tmp_path, port):
    """`PORT=8080 make run`, or `make run` on its default port: both processes know the port,
    which the links below follow."""
    # Stands for the virtualenv's python: says what it was asked to run. The server waits
    # until the timer runner and the worker, started before it in the background, have said it
    # (for 10 s at most): make kills them as soon as the server stops.
    python = tmp_path / "python"
    python.write_text(
        "#!/bin/sh\n"
        'echo "PORT=$PORT $*"\n'
        'case "$*" in *run_workflow_timers*) touch "$0.minuteurs" ;;\n'
        '  *db_worker*) touch "$0.executant" ;;\n'
        "  *runserver*) for i in $(seq 100); do\n"
        '    [ -e "$0.minuteurs" ] && [ -e "$0.executant" ] && break; sleep 0.1; done ;;\n'
        "esac\n"
    )
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL", "MAKEFLAGS")}
    if port:
        env["PORT"] = port
    sortie = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", f"PY={python}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lignes = sortie.stdout.splitlines()
    port = port or "8000"
    assert f"PORT={port} manage.py run_workflow_timers --interval 60" in lignes, sortie.stderr
    assert f"PORT={port} manage.py runserver --noreload 127.0.0.1:{port}" in lignes
    # Issue 17: one worker runs the background jobs beside them.
    assert f"PORT={port} manage.py db_worker --no-reload" in lignes


def test_links_in_e_mails_follow_the_port_served():
    assert reglages("local", "SITE_URL", PORT="8080") == {"SITE_URL": "http://127.0.0.1:8080"}
    assert reglages("local", "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8000"}
    # An address given explicitly (a machine reached by its name) wins.
    publique = "http://parcours.del.lan:8080"
    assert reglages("local", "SITE_URL", PORT="8080", SITE_URL=publique)["SITE_URL"] == publique


@pytest.mark.django_db
def test_a_reminder_sent_by_the_local_run_on_port_8080_links_to_port_8080(settings):
    settings.SITE_URL = reglages("local", "SITE_URL", PORT="8080")["SITE_URL"]
    travailleur_social = UserFactory(email="ts@del.nc")
    with TestCase.captureOnCommitCallbacks(execute=True):
        notifier(
            travailleur_social,
            "La prescription n° 12 attend votre co-signature depuis 5 jours.",
            "/prescriptions/12/",
        )
    (courriel,) = mail.outbox
    assert "\nOuvrir le dossier : http://127.0.0.1:8080/prescriptions/12/\n" in courriel.body
