"""DOMAIN.md, "no silent parcours": run daily (idempotent: each silence is flagged once)."""

from django.core.management.base import BaseCommand

from procurement.models import today
from workflows.services import signaler_silences


class Command(BaseCommand):
    help = "Signale les parcours sans contact depuis 15 jours (référent) et 30 jours (conseiller)."

    def handle(self, **options):
        envoyes = signaler_silences(today())
        if envoyes:
            self.stdout.write(f"{envoyes} signalement(s) de parcours sans contact.")
