"""What the orders do when an app upstream tells them something (imported by apps.py)."""

from django.dispatch import receiver

from procurement.signals import seance_cloturee

from . import services


@receiver(seance_cloturee)
def preparer_la_commande(sender, session, par, **kwargs):
    services.preparer_commande(session, par=par)
