"""Settings shared by every environment; configuration comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from config.csp import (
    ATTRIBUT_STYLE,
    ELEMENT_STYLE,
    GESTIONNAIRE_D_EVENEMENT,
    empreinte_barre_de_progression_turbo,
    empreintes,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Only for local runs and tests: production.py refuses to start with it.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-local-only-never-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_filters",
    "import_export",
    "viewflow",
    "viewflow.workflow",
    "accounts",
    "documents",
    "procurement",
    "bons_de_commande",
    "prestataires",
    "workflows",
    "remunerations",
    "reporting",
    "accueil",
    "demo",
    "django_tasks",
    "django_tasks_db",
    "travaux",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login, but the login pages themselves.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.DureeMaximaleDeSessionMiddleware",
    "accounts.middleware.DeuxFacteursMiddleware",
    # A process step locked by someone else: the page again with a French message.
    "workflows.middleware.ProcessusOccupeMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it turns a login refused by django-axes into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The local run's server and timer runner write to one file, and an import holds its write
    # lock for several seconds. With WAL, readers go on while someone writes; `timeout` makes a
    # writer wait its turn instead of failing; IMMEDIATE takes the write lock when a transaction
    # begins, so a transaction that has read never fails to upgrade ("database is locked" at
    # once, whatever the timeout).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the pages' queries read a page of rows through joins whose row
    # estimates run far above what they read (a prestataire's tasks: 240 000 estimated, 248
    # read), and compiling them cost more than running them (the home page 113 ms with the JIT,
    # 51 ms without, at 100 000 parcours: scripts/benchmark_echelle.py). The aggregates of the
    # indicators are no slower without it.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c jit=off",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# A background job's progress is written through a connection of its own ("progression", the
# same database): the import it follows runs in one transaction on "default", and a page reads
# the progress while that transaction is still open. On SQLite the import holds the only write
# lock: the progress waits no more than a tenth of a second and is skipped if the file is
# still locked (travaux.taches.Progression), the job's end is always written.
DATABASES["progression"] = {**DATABASES["default"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["progression"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "timeout": 0.1,
        "transaction_mode": "DEFERRED",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (the import's check and confirmation, large exports, the indicators' files):
# Django's Tasks API through the django-tasks backport, queued in the database by
# django-tasks-db. `manage.py db_worker` runs them (`make run` starts one; in production a
# systemd service, README "Travaux en arrière-plan"); several workers on several machines share
# the one queue (each job is claimed with SELECT ... FOR UPDATE SKIP LOCKED).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# An export, or the indicators' files, of more rows than this is prepared in the background;
# a smaller one is written within the request (a second or two at most, measured in the
# README), as before.
TRAVAUX_LIGNES_IMMEDIATES = int(os.environ.get("TRAVAUX_LIGNES_IMMEDIATES", "2000"))

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# django-axes first: a locked out (username, address) is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Guessing a password: after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for CONNEXION_BLOCAGE_MINUTES (each new try during the lockout restarts
# it); a successful login clears the count; the administrateur unlocks it sooner from the admin
# (« Tentatives de connexion »). The lockout page is the login page with its message.
AXES_FAILURE_LIMIT = int(os.environ.get("CONNEXION_ECHECS_MAX", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CONNEXION_BLOCAGE_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.connexion_bloquee"
AXES_VERBOSE = False

# Two-factor authentication (TOTP, with single-use recovery codes) for the roles of
# accounts.roles.ROLES_A_DEUX_FACTEURS: required in production, optional in the local demo.
DEUX_FACTEURS_OBLIGATOIRE = os.environ.get("DEUX_FACTEURS_OBLIGATOIRE", "0") == "1"
OTP_TOTP_ISSUER = "Parcours d'insertion DEL"

# A session ends after SESSION_INACTIVITE_SECONDES without a request (the expiry moves at every
# request), and SESSION_DUREE_MAXIMALE_SECONDES after the login whatever the activity
# (accounts.middleware.DureeMaximaleDeSessionMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_INACTIVITE_SECONDES", "3600"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_DUREE_MAXIMALE = int(os.environ.get("SESSION_DUREE_MAXIMALE_SECONDES", "36000"))

# Content-Security-Policy: scripts and styles come from the application's static files; no
# 'unsafe-inline', nothing from another site. viewflow's templates keep a few fixed style=
# attributes, <style> elements and onclick handlers, and Turbo its progress bar's <style>:
# allowed by their hash (config/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": ["'unsafe-hashes'", *empreintes(GESTIONNAIRE_D_EVENEMENT)],
        "style-src": [
            SELF,
            NONCE,
            *empreintes(ELEMENT_STYLE),
            *empreinte_barre_de_progression_turbo(),
        ],
        "style-src-attr": ["'unsafe-hashes'", *empreintes(ATTRIBUT_STYLE)],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# New Caledonia: UTC+11 all year round, no daylight saving.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Pacific/Noumea"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# The lists' filters (django-filter) offer "Tous" for no filter, not "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Tous"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "parcours@del.province-sud.nc")

# Uploads (issue 16): every file goes through documents.televersements.LimiteDeTaille first,
# which stops it past TELEVERSEMENT_TAILLE_MAX before it is read whole (the form says so in
# French); the margin is for the other fields of a request that announces its length.
# Non-file fields keep Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2,5 Mo).
FILE_UPLOAD_HANDLERS = [
    "documents.televersements.LimiteDeTaille",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
TELEVERSEMENT_TAILLE_MAX = 20 * 1024 * 1024
TELEVERSEMENT_MARGE_DES_CHAMPS = 64 * 1024

# Base address used in e-mails (reminders carry a link to the task).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint logs every rendering step, and a font-subsetting notice per font; keep errors.
    "loggers": {
        name: {"level": "ERROR"} for name in ("weasyprint", "weasyprint.progress", "fontTools")
    },
}
STATICFILES_DIRS = [BASE_DIR / "static"]
