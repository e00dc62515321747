"""Local run (`make run`): SQLite in the project folder unless DATABASE_URL is set.

It serves like production (DEBUG off: French error pages, not Django's technical page listing
every URL), static files included, with no collectstatic.
"""

import os

from .base import *  # noqa: F403
from .base import MIDDLEWARE

DEBUG = False
# Host names only: any port matches.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# runserver serves static files only with DEBUG on: WhiteNoise serves them straight from the
# apps' and the project's static folders (production serves the collected, hashed copies).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Links in e-mails lead to the port `make run` serves (it passes PORT to the server and to the
# timer runner, which sends the reminders without any request to take an address from).
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
