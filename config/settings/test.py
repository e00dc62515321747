from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests travel in time for days after a login (timers, due dates): sessions outlive them here.
# tests/accounts/test_session.py puts back the production limits (base.py) to test them.
SESSION_COOKIE_AGE = SESSION_DUREE_MAXIMALE = 10 * 365 * 24 * 3600
