"""PDF documents rendered by WeasyPrint from the HTML templates in `templates/pdf/`."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from .models import Document


def rendre_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def enregistrer_pdf(template_name: str, context: dict, nom_fichier: str) -> Document:
    """Render once and keep the bytes: the issued document never changes afterwards."""
    return Document.objects.create(
        nom_fichier=nom_fichier, contenu=rendre_pdf(template_name, context)
    )
