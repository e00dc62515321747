"""The outputs of the contract commands (docs/contrats.md §2 to §5) on the demo data, at a
frozen clock, written to a folder: run it on two checkouts and `diff -r` the folders to show a
restructuring changed none of them.

    .venv/bin/python scripts/sorties_de_reference.py CHECKOUT FOLDER

CHECKOUT is the source tree to run (this one or another worktree, with this virtualenv);
FOLDER receives one file per output. The database is a fresh SQLite file in FOLDER, removed at
the end: the demo is seeded on 24/11/2026 at 09:00, Nouméa time, its history imported and the
commands run at 10:00, so that two runs of the same code give the same bytes.
"""

import os
import sys
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

NOUMEA = ZoneInfo("Pacific/Noumea")
SEMIS = datetime(2026, 11, 24, 9, tzinfo=NOUMEA)
COMMANDES = datetime(2026, 11, 24, 10, tzinfo=NOUMEA)


def main(source: Path, sortie: Path):
    sortie.mkdir(parents=True, exist_ok=True)
    base = sortie / "db.sqlite3"
    os.environ.update(
        DATABASE_URL=f"sqlite:///{base}", DJANGO_SETTINGS_MODULE="config.settings.local"
    )
    os.chdir(source)
    sys.path.insert(0, str(source))
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command

    def lancer(nom, *args, fichier):
        texte = StringIO()
        with time_machine.travel(COMMANDES, tick=False):
            try:
                call_command(nom, *args, stdout=texte, stderr=texte)
            except Exception as erreur:  # noqa: BLE001 -- a refusal is an output too
                texte.write(f"ERREUR {type(erreur).__name__}: {erreur}")
        (sortie / fichier).write_text(texte.getvalue())

    call_command("migrate", verbosity=0)
    with time_machine.travel(SEMIS, tick=False):
        call_command("seed_demo", stdout=StringIO())
    historique = str(source / "demo" / "historique_parcours.csv")
    lancer("import_parcours", historique, "--dry-run", fichier="import_dry_run_avant.txt")
    lancer("import_parcours", historique, fichier="import.txt")
    lancer("import_parcours", historique, "--dry-run", fichier="import_dry_run_apres.txt")
    for format_ in ("json", "csv"):
        periode = ("--du", "2025-01-01", "--au", "2026-12-31")
        lancer("indicateurs", *periode, "--format", format_, fichier=f"indicateurs.{format_}")
        lancer(
            "indicateurs",
            *("--du", "2026-01-01", "--au", "2026-12-31", "--lot", "1", "--prestataire", "ALPHA"),
            *("--format", format_),
            fichier=f"indicateurs_alpha.{format_}",
        )
        for mois in ("2026-08", "2026-09", "2026-10"):
            lancer(
                "etats_remuneration",
                *("--mois", mois, "--format", format_),
                fichier=f"etats_{mois}.{format_}",
            )
        lancer("bilans_en_retard", "--format", format_, fichier=f"bilans_en_retard.{format_}")
    for fichier in sortie.glob("db.sqlite3*"):
        fichier.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
