"""Fire viewflow's due timers every --interval seconds (the local run's timer runner), and
open the états de rémunération of the month just ended, and flag the contacts parcours owe.

In production, cron or a systemd timer runs viewflow's one-shot `workflow_timers` and
`ouvrir_etats_remuneration` and `signaler_contacts_manques` instead.
"""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger(__name__)

COMMANDES = ("ouvrir_etats_remuneration", "workflow_timers", "signaler_contacts_manques")


class Command(BaseCommand):
    help = "Déclenche les échéances des processus (rappels, relances) à intervalle régulier."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="secondes entre deux passages")

    def handle(self, interval, **options):
        while True:
            self.passage(interval)
            time.sleep(interval)

    def passage(self, interval):
        """Run each job once. A job that fails (the database locked by a long import, say) is
        logged and tried again at the next pass, and the others still run: a runner that died
        would send no reminder any more. Ctrl-C and SIGTERM still stop it."""
        for commande in COMMANDES:
            # Like a request does: drop a connection that broke or outlived CONN_MAX_AGE.
            close_old_connections()
            try:
                call_command(commande, stdout=self.stdout)
            except Exception:
                logger.exception(
                    "Échéances : « %s » a échoué, nouvel essai dans %s s.", commande, interval
                )
