"""What reporting does when an app upstream tells it something (imported by apps.py)."""

from django.dispatch import receiver

from bons_de_commande.signals import commande_accusee
from prestataires.signals import session_modifiee

from . import services


@receiver(session_modifiee)
def actualiser_le_bilan(sender, bon, **kwargs):
    """The session's end moved: its bilan's due date and timers follow."""
    services.actualiser_bilan(bon)


@receiver(commande_accusee)
def ouvrir_le_bilan(sender, bon, **kwargs):
    """The order is acknowledged: its session owes a bilan, followed by its process."""
    services.ouvrir_bilan(bon)
