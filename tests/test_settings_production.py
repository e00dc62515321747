"""Production settings refuse a default secret and pass `manage.py check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = "k7#Qp!2vZ9x@Lr4sT8wYc1nB6mJ0hF3dG5aE_uKoPiXlRzWq-Hy"


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    environment.setdefault("DATABASE_URL", "sqlite:///unused.sqlite3")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", ALLOWED_HOSTS="parcours.del.nc")
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_production_refuses_the_local_default_secret_key():
    from config.settings.base import INSECURE_DEFAULT_SECRET_KEY

    result = manage(
        "check", SECRET_KEY=INSECURE_DEFAULT_SECRET_KEY, ALLOWED_HOSTS="parcours.del.nc"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="parcours.del.nc",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_collects_and_serves_static_files_where_the_environment_says():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.STATIC_ROOT)",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="parcours.del.nc",
        STATIC_ROOT="/srv/parcours/static",
    )
    assert result.stdout.strip() == "/srv/parcours/static", result.stderr
