"""docs/domaine.md: no silent parcours (15 and 30 days without contact) and the maintien's planned
contacts (1, 2, 3 months after the exit, 7 days' grace). Run daily; each lapse is flagged
once."""

from django.core.management.base import BaseCommand

from prestataires.suivi import signaler_contacts_manques
from procurement.models import today


class Command(BaseCommand):
    help = "Signale les parcours sans contact et les contacts de maintien non enregistrés."

    def handle(self, **options):
        envoyes = signaler_contacts_manques(today())
        if envoyes:
            self.stdout.write(f"{envoyes} signalement(s) de contacts manqués.")
