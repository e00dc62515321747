"""docs/contrats.md §4: the stipends of a month, one object per stagiaire, for finance's tools."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from documents import tableur
from documents.sortie import ecrire
from procurement.calendrier import lire_mois
from procurement.models import Prestataire
from remunerations import exports, stockage
from remunerations.models import libelle_mois


def _mois(texte: str) -> date:
    try:
        return lire_mois(texte)
    except ValueError as erreur:
        raise CommandError(f"--mois attend AAAA-MM, pas « {texte} ».") from erreur


class Command(BaseCommand):
    help = "Affiche les rémunérations dues et déclarées d'un mois (docs/contrats.md §4)."

    def add_arguments(self, parser):
        parser.add_argument("--mois", required=True, type=_mois, help="AAAA-MM")
        parser.add_argument("--prestataire", help="code du prestataire (tous par défaut)")
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "pdf"], default="json")
        parser.add_argument(
            "--sortie", help="fichier où écrire (XLSX et PDF : sinon la sortie standard)"
        )

    def handle(self, mois, prestataire, format, sortie, **options):
        prestataires = Prestataire.objects.order_by("code")
        if prestataire:
            prestataires = prestataires.filter(code=prestataire)
            if not prestataires:
                raise CommandError(f"Prestataire inconnu : {prestataire}.")
        releves = stockage.releves_des_mois((p, mois) for p in prestataires)
        if format == "json":
            contenu = json.dumps(exports.lignes_du_contrat(releves), ensure_ascii=False, indent=2)
        elif format == "csv":
            contenu = tableur.csv(exports.tableau_du_contrat(releves))
        elif format == "xlsx":
            contenu = tableur.xlsx(exports.tableau_du_contrat(releves))
        else:
            contenu = exports.pdf(releves, f"États de rémunération : {libelle_mois(mois)}")
        ecrire(self, contenu, sortie)
