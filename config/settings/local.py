"""Local run: SQLite in the project folder unless DATABASE_URL is set."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
