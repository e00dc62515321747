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
# The tests move the clock by days and months with a user logged in: sessions last that long
# here. tests/accounts/test_session.py sets the production durations back to test their end.
SESSION_COOKIE_AGE = SESSION_DUREE_MAXIMALE = 5 * 366 * 24 * 3600
# No session write at every request (a tenth of the access matrices' time); the session tests
# put it back with the durations.
SESSION_SAVE_EVERY_REQUEST = False
# One connection: the progress of a background job is written in the test's own transaction,
# where the test reads it (a second alias would need its own test database).
DATABASES = {"default": DATABASES["default"]}  # noqa: F405
# Jobs run as soon as they are queued, within the request that queues them: the pages that
# start one are tested on their result. tests/travaux/ puts the database queue back and runs
# the worker in the test where the queue itself is tested.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
