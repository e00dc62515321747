"""The server error handler: the 500 page must never fail in turn."""

import logging

from django.http import HttpResponseServerError
from django.views import defaults

logger = logging.getLogger(__name__)

PAGE_DE_SECOURS = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Erreur du serveur · Parcours d'insertion DEL</title></head>
<body><h1>Une erreur est survenue</h1>
<p>L'application n'a pas pu traiter votre demande. L'erreur est inscrite au journal du serveur.</p>
<p><a href="/">Retour à l'accueil</a></p></body></html>
"""


def erreur_serveur(request):
    """templates/500.html, drawn by Django without a request; if drawing it fails too (a static
    file missing from the manifest, say), a page without template nor static file."""
    try:
        return defaults.server_error(request)
    except Exception:
        logger.exception("La page d'erreur 500 n'a pas pu être affichée.")
        return HttpResponseServerError(PAGE_DE_SECOURS)
