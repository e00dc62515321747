"""Production settings refuse a default secret and pass `manage.py check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = "k7#Qp!2vZ9x@Lr4sT8wYc1nB6mJ0hF3dG5aE_uKoPiXlRzWq-Hy"


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
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


def test_production_refuses_an_email_backend_that_keeps_the_messages_on_the_server():
    """A password-reset link must never land in a server log."""
    for backend in ("console", "filebased", "locmem", "dummy"):
        result = manage(
            "check",
            SECRET_KEY=STRONG_SECRET,
            ALLOWED_HOSTS="parcours.del.nc",
            EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend",
        )
        assert result.returncode != 0, backend
        assert "garde les courriels sur le serveur" in result.stderr, result.stderr


def reglage(module, expression, **env):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print({expression})",
        DJANGO_SETTINGS_MODULE=module,
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="parcours.del.nc",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_sends_email_through_smtp_and_requires_the_second_factor():
    production = "config.settings.production"
    assert reglage(production, "settings.EMAIL_BACKEND") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    assert reglage(production, "settings.DEUX_FACTEURS_OBLIGATOIRE") == "True"
    # The environment cannot turn it off.
    assert (
        reglage(production, "settings.DEUX_FACTEURS_OBLIGATOIRE", DEUX_FACTEURS_OBLIGATOIRE="0")
        == "True"
    )
    # `make run`'s demo logs in with the password only.
    assert reglage("config.settings.local", "settings.DEUX_FACTEURS_OBLIGATOIRE") == "False"


def test_session_durations_come_from_the_environment():
    expression = "settings.SESSION_COOKIE_AGE, settings.SESSION_DUREE_MAXIMALE"
    assert reglage("config.settings.production", expression) == "3600 36000"
    assert (
        reglage(
            "config.settings.production",
            expression,
            SESSION_INACTIVITE_SECONDES="1800",
            SESSION_DUREE_MAXIMALE_SECONDES="28800",
        )
        == "1800 28800"
    )


def test_postgresql_connections_compile_no_query_just_in_time():
    """The JIT cost the pages more than it saved (config/settings/base.py); SQLite has none."""
    options = "settings.DATABASES['default']['OPTIONS'].get('options')"
    url = "postgres://parcours@db.example/parcours"
    assert reglage("config.settings.production", options, DATABASE_URL=url) == "-c jit=off"
    sqlite = "sqlite:///unused.sqlite3"
    assert reglage("config.settings.production", options, DATABASE_URL=sqlite) == "None"
