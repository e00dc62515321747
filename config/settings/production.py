"""Production: behind a TLS reverse proxy, PostgreSQL, SMTP relay.

Refuses to start without a real SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL, or with an e-mail
backend that keeps the messages on the server (console, file, memory): a password-reset link
would land in a log. The second factor is required (accounts.roles.ROLES_A_DEUX_FACTEURS).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY

EMAILS_GARDES_SUR_LE_SERVEUR = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}

DEBUG = False

if not os.environ.get("SECRET_KEY") or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY doit être défini (valeur secrète propre à ce serveur).")
if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY est trop faible : au moins 50 caractères aléatoires.")
for variable in ("ALLOWED_HOSTS", "DATABASE_URL"):
    if not os.environ.get(variable):
        raise ImproperlyConfigured(f"{variable} doit être défini en production.")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if EMAIL_BACKEND in EMAILS_GARDES_SUR_LE_SERVEUR:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} garde les courriels sur le serveur (un lien de "
        "réinitialisation de mot de passe finirait dans un journal) : utilisez le relais SMTP "
        "(django.core.mail.backends.smtp.EmailBackend et EMAIL_HOST)."
    )

DEUX_FACTEURS_OBLIGATOIRE = True
# Behind the reverse proxy, the client's address is the one it appends to X-Forwarded-For
# (django-axes counts failures per username and address).
AXES_IPWARE_PROXY_COUNT = 1
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]  # noqa: F405
# Where collectstatic writes and WhiteNoise serves from (default: staticfiles/ in the project).
STATIC_ROOT = os.environ.get("STATIC_ROOT", STATIC_ROOT)  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WhiteNoise serves the collected static files (run `manage.py collectstatic` at deploy).
MIDDLEWARE = [  # noqa: F405
    MIDDLEWARE[0],  # noqa: F405  SecurityMiddleware first
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
