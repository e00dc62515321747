"""docs/contrats.md §2: bring the parcours history of a follow-up spreadsheet (.csv or .xlsx) in.

Every error is printed on the error output as `line N: column: message` (the header is line
1) and the command exits with status 1, having written nothing. Every warning (a row the
application's screens would refuse, imported as written) is printed on the standard output in
the same form; warnings do not change the exit status. What it imports is recorded
as done by the inactive account `reprise` ("Reprise de l'historique"), created on demand.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.importation import Fichier, FichierIllisible, importer, utilisateur_de_reprise


class Command(BaseCommand):
    help = (
        "Importe l'historique des parcours (docs/contrats.md §2) d'un fichier .csv ou .xlsx ; "
        "--dry-run vérifie et compte sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="fichier .csv (UTF-8, « ; » ou « , ») ou .xlsx")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifie le fichier et affiche ce qui serait créé et mis à jour, sans écrire",
        )

    def handle(self, fichier, dry_run, **options):
        chemin = Path(fichier)
        try:
            contenu = chemin.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Impossible de lire {fichier} : {erreur.strerror}.") from erreur
        try:
            rapport = importer(
                Fichier(nom=chemin.name, contenu=contenu),
                par=utilisateur_de_reprise(),
                essai=dry_run,
            )
        except FichierIllisible as erreur:
            raise CommandError(str(erreur)) from erreur
        for avertissement in rapport.avertissements:
            self.stdout.write(str(avertissement))
        if rapport.avertissements:
            verbe = "seraient importées" if dry_run else "sont importées"
            self.stdout.write(
                f"{len(rapport.avertissements)} avertissement(s) : ces lignes {verbe} telles que "
                "le fichier les donne."
            )
        if not rapport.valide:
            for erreur in rapport.erreurs:
                self.stderr.write(str(erreur))
            self.stderr.write(
                f"{len(rapport.erreurs)} erreur(s) dans {chemin.name} : rien n'a été importé."
            )
            raise SystemExit(1)
        self.stdout.write(rapport.resume())
