"""The one way a file leaves the application as a download, and the one way a download of
personal data is written in the journal of nominative downloads (who, when, which document).

The journal (reporting's JournalExport, read on the « Journal des exports » page) lives with
the pages that read it, downstream of every app that serves a file; this module, upstream of
them all, announces each nominative download with the signal `telecharge`, and reporting
writes the line (reporting/receivers.py). A view calls `telecharger` last, once the user may
have the document: a refused download (403, 404) writes nothing.
"""

from io import BytesIO

from django.dispatch import Signal
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .tableur import TYPE_CSV, TYPE_XLSX

TYPES = {"pdf": "application/pdf", "xlsx": TYPE_XLSX, "csv": TYPE_CSV}

# Sent with utilisateur, objet (a DocumentNominatif or an export's ObjetExport), format,
# document (the file's name), filtres (a dict) and lignes (rows exported, or None).
telecharge = Signal()


def reponse_fichier(contenu: bytes, nom_fichier: str) -> HttpResponse:
    """The file as an attachment, its type read from its name's extension: a PDF streamed,
    a spreadsheet in one piece."""
    type_mime = TYPES[nom_fichier.rpartition(".")[2]]
    if type_mime == TYPES["pdf"]:
        return FileResponse(
            BytesIO(bytes(contenu)),
            as_attachment=True,
            filename=nom_fichier,
            content_type=type_mime,
        )
    reponse = HttpResponse(contenu, content_type=type_mime)
    reponse["Content-Disposition"] = content_disposition_header(True, nom_fichier)
    return reponse


def telecharger(
    user, contenu: bytes, nom_fichier: str, objet: str, *, filtres=None, lignes=None
) -> HttpResponse:
    """A file carrying personal data, for `user`: one line in the journal, then the file."""
    telecharge.send(
        sender=None,
        utilisateur=user,
        objet=objet,
        format=nom_fichier.rpartition(".")[2],
        document=nom_fichier,
        filtres=filtres or {},
        lignes=lignes,
    )
    return reponse_fichier(contenu, nom_fichier)
