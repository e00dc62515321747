"""What reporting does when an app upstream tells it something (imported by apps.py)."""

from django.dispatch import receiver

from bons_de_commande.signals import commande_accusee
from documents.telechargements import telecharge
from prestataires.signals import session_modifiee

from . import services
from .models import JournalExport


@receiver(session_modifiee)
def actualiser_le_bilan(sender, bon, **kwargs):
    """The session's end moved: its bilan's due date and timers follow."""
    services.actualiser_bilan(bon)


@receiver(commande_accusee)
def ouvrir_le_bilan(sender, bon, **kwargs):
    """The order is acknowledged: its session owes a bilan, followed by its process."""
    services.ouvrir_bilan(bon)


@receiver(telecharge)
def journaliser_le_telechargement(
    sender, utilisateur, objet, format, document, filtres, lignes, **kwargs
):
    """A file of personal data was handed out: one line in the journal of nominative
    downloads."""
    JournalExport.objects.create(
        utilisateur=utilisateur,
        objet=objet,
        format=format,
        document=document,
        filtres=filtres,
        lignes=lignes,
    )
