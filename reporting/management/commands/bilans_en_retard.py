"""docs/contrats.md §5: the sessions whose bilan de fin de parcours is overdue on a date."""

import json
from datetime import date

import tablib
from django.core.management.base import BaseCommand, CommandError

from documents import tableur
from procurement.models import Prestataire, today
from reporting.bilans import COLONNES_RETARD, bilans_en_retard


def _date(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError as erreur:
        raise CommandError(f"--date attend AAAA-MM-JJ, pas « {texte} ».") from erreur


class Command(BaseCommand):
    help = "Liste les bilans de fin de parcours en retard à une date (docs/contrats.md §5)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_date, help="AAAA-MM-JJ (par défaut : aujourd'hui à Nouméa)"
        )
        parser.add_argument("--prestataire", help="code du prestataire (tous par défaut)")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, date, prestataire, format, **options):
        if prestataire and not Prestataire.objects.filter(code=prestataire).exists():
            raise CommandError(f"Prestataire inconnu : {prestataire}.")
        if isinstance(date, str):  # call_command(date=...) skips argparse's conversion
            date = _date(date)
        retards = bilans_en_retard(date or today(), prestataire)
        if format == "json":
            contenu = json.dumps(retards, ensure_ascii=False, indent=2)
        else:
            tableau = tablib.Dataset(headers=COLONNES_RETARD)
            for retard in retards:
                tableau.append([retard[colonne] for colonne in COLONNES_RETARD])
            contenu = tableur.csv(tableau)
        self.stdout.write(contenu, ending="" if contenu.endswith("\n") else "\n")
