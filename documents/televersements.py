"""Uploaded files are refused over their size limit before they are read whole (issue 16).

`LimiteDeTaille` is the first of `FILE_UPLOAD_HANDLERS`: every uploaded file of the
application goes through it. A file whose request announces more than the limit
(`TELEVERSEMENT_TAILLE_MAX`) is stopped at its first byte, one that grows past it while it
arrives (a request without a true length) at that chunk: the upload stops, nothing of it is
kept, the rest of the body is drained without being stored (`StopUpload` without a connection
reset, so that the page can answer), and the fields typed before the file (the CSRF token)
stay. The form then tells the user, on the file's field, in French (`trop_gros`); never a 400
nor a 500.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

ATTRIBUT = "televersements_trop_gros"


def taille_max() -> int:
    return settings.TELEVERSEMENT_TAILLE_MAX


def en_mo(octets: int) -> str:
    return f"{octets // (1024 * 1024)} Mo"


def trop_gros(request) -> set[str]:
    """The names of the request's file fields that were refused over the limit."""
    return getattr(request, ATTRIBUT, set())


class LimiteDeTaille(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload past the limit."""

    def _refuser(self):
        refuses = trop_gros(self.request)
        refuses.add(self.field_name)
        setattr(self.request, ATTRIBUT, refuses)
        raise StopUpload(connection_reset=False)

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        # The whole request's length bounds the file's: over the limit, nothing is read.
        if self.request is not None and int(self.request.META.get("CONTENT_LENGTH") or 0) > (
            taille_max() + settings.TELEVERSEMENT_MARGE_DES_CHAMPS
        ):
            self._refuser()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > taille_max():
            self._refuser()
        return raw_data

    def file_complete(self, file_size):
        return None
