"""docs/contrats.md §3: the CCTP indicators of a period, for the DEL's tools and the bilans."""

import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from documents import tableur
from documents.sortie import ecrire
from procurement.models import Prestataire
from reporting import indicateurs

FORMATS = ("json", "csv", "xlsx", "pdf")


def _date(texte: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", texte):
            raise ValueError(texte)
        return date.fromisoformat(texte)
    except ValueError as erreur:
        raise CommandError(f"Une date s'écrit AAAA-MM-JJ, pas « {texte} ».") from erreur


def _lot(texte: str) -> int:
    if texte not in ("1", "2"):
        raise CommandError(f"--lot attend 1 ou 2, pas « {texte} ».")
    return int(texte)


def _format(texte: str) -> str:
    if texte not in FORMATS:
        raise CommandError(f"--format attend json, csv, xlsx ou pdf, pas « {texte} ».")
    return texte


class Command(BaseCommand):
    help = "Affiche les indicateurs du CCTP d'une période (docs/contrats.md §3)."

    def add_arguments(self, parser):
        parser.add_argument("--du", required=True, type=_date, help="AAAA-MM-JJ, inclus")
        parser.add_argument("--au", required=True, type=_date, help="AAAA-MM-JJ, inclus")
        parser.add_argument("--lot", type=_lot, help="1 ou 2 (tous par défaut)")
        parser.add_argument("--prestataire", help="code du prestataire (tous par défaut)")
        parser.add_argument("--format", type=_format, default="json", metavar="json|csv|xlsx|pdf")
        parser.add_argument(
            "--sortie", help="fichier où écrire (XLSX et PDF : sinon la sortie standard)"
        )

    def handle(self, du, au, lot, prestataire, format, sortie, **options):
        if du > au:
            raise CommandError(
                f"La période est inversée : --du ({du:%d/%m/%Y}) est après --au ({au:%d/%m/%Y})."
            )
        if prestataire is not None and not Prestataire.objects.filter(code=prestataire).exists():
            raise CommandError(f"Prestataire inconnu : {prestataire}.")
        resultat = indicateurs.calculer_indicateurs(du, au, lot=lot, prestataire=prestataire)
        if format == "json":
            contenu = json.dumps(resultat, ensure_ascii=False, indent=2)
        elif format == "csv":
            contenu = tableur.csv(indicateurs.tableau_a_plat(resultat))
        elif format == "xlsx":
            contenu = indicateurs.classeur(resultat)
        else:
            perimetre = indicateurs.libelle_perimetre(du, au, lot=lot, prestataire=prestataire)
            contenu = indicateurs.pdf(resultat, perimetre)
        ecrire(self, contenu, sortie)
