"""What reporting does when an app upstream tells it something (imported by apps.py)."""

from django.dispatch import receiver

from prestataires.signals import session_modifiee

from . import services


@receiver(session_modifiee)
def actualiser_le_bilan(sender, bon, **kwargs):
    """The session's end moved: its bilan's due date and timers follow."""
    services.actualiser_bilan(bon)
