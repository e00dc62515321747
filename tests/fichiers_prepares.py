"""What the tests of files prepared in the background compare: a file made by a job and the
same file answered at once must hold the same thing, and write the same journal line."""

import io
import zipfile

from reporting.models import JournalExport


def contenu(reponse) -> bytes | dict[str, bytes]:
    """The file's content. A workbook is compared member by member: its ZIP dates its members
    with the writing time (to two seconds), which no frozen clock reaches."""
    octets = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    if not octets.startswith(b"PK"):
        return octets
    with zipfile.ZipFile(io.BytesIO(octets)) as classeur:
        return {membre.filename: classeur.read(membre) for membre in classeur.infolist()}


def journal() -> list[tuple]:
    return list(
        JournalExport.objects.order_by("pk").values_list(
            "utilisateur__username", "objet", "format", "document", "filtres", "lignes"
        )
    )
