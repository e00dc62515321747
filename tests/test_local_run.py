"""`make run` keeps running: its server and its timer runner share one SQLite file, and the
timer runner outlives a pass that fails."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.db.utils import ConnectionHandler

ROOT = Path(__file__).resolve().parent.parent


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
    assert reglage.get("OPTIONS", {}) == {}
