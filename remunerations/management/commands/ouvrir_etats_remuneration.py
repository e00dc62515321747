"""Open, for each prestataire with stagiaires in the month just ended, its état de
rémunération and its process (whose deadline is the 10th). Run daily, with the timers."""

from django.core.management.base import BaseCommand

from procurement.models import today
from remunerations import services


class Command(BaseCommand):
    help = "Ouvre les états de rémunération du mois écoulé (idempotent)."

    def handle(self, **options):
        for prestataire, mois in services.mois_a_ouvrir(today()):
            etat = services.ouvrir_etat(prestataire, mois)
            self.stdout.write(f"Ouvert : {etat}")
