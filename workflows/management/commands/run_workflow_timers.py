"""Fire viewflow's due timers every --interval seconds (the local run's timer runner), and
open the états de rémunération of the month just ended, and flag the contacts parcours owe.

In production, cron or a systemd timer runs viewflow's one-shot `workflow_timers` and
`ouvrir_etats_remuneration` and `signaler_contacts_manques` instead.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Déclenche les échéances des processus (rappels, relances) à intervalle régulier."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="secondes entre deux passages")

    def handle(self, interval, **options):
        while True:
            call_command("ouvrir_etats_remuneration", stdout=self.stdout)
            call_command("workflow_timers", stdout=self.stdout)
            call_command("signaler_contacts_manques", stdout=self.stdout)
            time.sleep(interval)
