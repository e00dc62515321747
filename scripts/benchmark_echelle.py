"""Every page at two sizes of history, the import and the PDFs: the scale benchmark (issue 17).

    .venv/bin/python scripts/benchmark_echelle.py [--petit 1000] [--grand 100000]
        [--repetitions 7] [--json FICHIER] [--garder]

Works in a throwaway database, as scripts/benchmark_import_indicateurs.py does (its helpers
are reused): with DATABASE_URL set to PostgreSQL, a database `benchmark_echelle` on that
server, created and dropped at the end; a temporary SQLite file otherwise. It migrates, loads
the demo data, adds 17 prestataires (20 in all, holding lot 1, lot 2 or both; a direction
user for most of them), then builds the small size: a history of parcours imported with
`reporting.importation.importer` (docs/contrats.md §2) in files of at most 10 000 rows, from
2022 to today, in sessions of about ten (every decision, every class of exit, stages,
evaluations, bilans sent, owed and overdue: the owed ones start their processes), one session
of 80 people (its bon de commande has 80 lines), then, by the ORM, some suspensions and three
months of états de rémunération per prestataire (`remunerations.services.ouvrir_etat`).

Each page is fetched by django.test.Client as the role that uses it: one warm-up, then the
median of `--repetitions` requests (fewer when a page is so slow that they would pass
`--budget` seconds: the table says how many), with the queries of the last request counted
and its size. The history then grows to the large size in the same database: the first file
of 10 000 rows is timed, then imported again unchanged (timed); the next 100 000 rows are
imported by a separate process whose peak memory is read; the rest in files of 10 000 rows.
The pages are measured again, then the PDFs: an empty WeasyPrint page against the 80-line
bon de commande, in this process and as whole processes (Python started, WeasyPrint
imported, the HTML laid out).

Prints the table in Markdown (page, ms at each size, ratio, queries at each size, KB at the
large size), the import and PDF figures and the time each step took; `--json FICHIER` writes
the same figures for machines.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "scripts"))

import benchmark_import_indicateurs as historique  # noqa: E402  (sets the test settings)
from echelle_construction import (  # noqa: E402
    LIGNES_PAR_FICHIER,
    NOUVEAUX_PRESTATAIRES,
    Constructeur,
    Construction,
)
from echelle_mesures import (  # noqa: E402
    Mesure,
    Page,
    choisir_les_sujets,
    en_json,
    les_pages,
    mesurer_les_pages,
    mesurer_les_pdf,
    nombre,
    tableau_des_chiffres,
    tableau_des_pages,
)

BASE_DE_TEST = "benchmark_echelle"
__all__ = [
    "Construction",
    "Mesure",
    "Page",
    "executer",
    "tableau_des_chiffres",
    "tableau_des_pages",
]

# --- The run ---------------------------------------------------------------------------------


@dataclass
class Resultats:
    pages: list[Page]
    petites: list[Mesure]
    grandes: list[Mesure]
    petit: Construction
    grand: Construction
    pdf: dict | None = None


def executer(
    dossier: Path,
    *,
    petit: int,
    grand: int,
    repetitions: int,
    budget: float,
    lignes_du_bon: int = 80,
    lignes_import: int = LIGNES_PAR_FICHIER,
    lignes_memoire: int = 100_000,
    processus_separe: bool = True,
    pdf: bool = True,
    journal=print,
) -> Resultats:
    """Build the small size, measure, grow to the large one, measure again; then the PDFs.
    Runs in the database Django is connected to, which holds the demo data."""
    from procurement.models import today

    aujourd_hui = today()
    constructeur = Constructeur(dossier, aujourd_hui, lignes_du_bon=lignes_du_bon)
    construction_petite = constructeur.petit(petit)
    journal(
        f"Construit : {nombre(construction_petite.parcours)} parcours en "
        f"{construction_petite.secondes:.1f} s."
    )
    sujets = choisir_les_sujets(lignes_du_bon)
    pages = les_pages(sujets, aujourd_hui)
    depart = time.perf_counter()
    petites = mesurer_les_pages(pages, repetitions, budget)
    journal(f"Pages mesurées à la petite taille en {time.perf_counter() - depart:.1f} s.")
    construction_grande = constructeur.grandir(
        grand,
        lignes_import=lignes_import,
        lignes_memoire=lignes_memoire,
        processus_separe=processus_separe,
    )
    journal(
        f"Construit : {nombre(construction_grande.parcours)} parcours en "
        f"{construction_grande.secondes:.1f} s de plus."
    )
    depart = time.perf_counter()
    grandes = mesurer_les_pages(pages, repetitions, budget)
    journal(f"Pages mesurées à la grande taille en {time.perf_counter() - depart:.1f} s.")
    resultats = Resultats(pages, petites, grandes, construction_petite, construction_grande)
    if pdf:
        resultats.pdf = mesurer_les_pdf(sujets.bon, repetitions, dossier)
    return resultats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petit", type=int, default=1000, help="parcours de la petite base")
    parser.add_argument("--grand", type=int, default=100_000, help="parcours de la grande base")
    parser.add_argument("--repetitions", type=int, default=7, help="requêtes par page (7)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="secondes au plus par page et par taille : une page plus lente est mesurée moins "
        "de fois (60)",
    )
    parser.add_argument("--json", type=Path, help="écrit aussi les chiffres en JSON")
    parser.add_argument(
        "--garder",
        action="store_true",
        help="garde la base à la fin (pour profiler une page à la grande taille) et donne son "
        "DATABASE_URL",
    )
    arguments = parser.parse_args()
    if not 0 < arguments.petit < arguments.grand:
        parser.error("--petit doit être positif et plus petit que --grand.")

    debut = time.perf_counter()
    url, jeter = historique.preparer_la_base(BASE_DE_TEST)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection, connections

    dossier = Path(tempfile.mkdtemp(prefix="benchmark-echelle-"))
    try:
        base = f"{connection.vendor} ({connection.settings_dict['NAME']})"
        print(f"Base : {base}")
        depart = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=StringIO())
        preparation = time.perf_counter() - depart
        print(f"Migrations et démo en {preparation:.1f} s.")
        resultats = executer(
            dossier,
            petit=arguments.petit,
            grand=arguments.grand,
            repetitions=arguments.repetitions,
            budget=arguments.budget,
        )
        duree = time.perf_counter() - debut
        print()
        print(
            tableau_des_pages(
                resultats.pages,
                resultats.petites,
                resultats.grandes,
                resultats.petit.parcours,
                resultats.grand.parcours,
                arguments.repetitions,
            )
        )
        print(
            f"\nMédiane de {arguments.repetitions} requêtes après une de mise en route ; "
            f"(n×) : n requêtes seulement, la page en aurait pris plus de {arguments.budget:.0f} s."
        )
        print()
        print(tableau_des_chiffres(resultats.petit, resultats.grand, resultats.pdf))
        print(f"\nBase {base}, {len(NOUVEAUX_PRESTATAIRES) + 3} prestataires ; "
              f"durée totale : {duree / 60:.1f} min.")  # fmt: skip
        if arguments.json:
            donnees = en_json(
                resultats.pages,
                resultats.petites,
                resultats.grandes,
                resultats.petit,
                resultats.grand,
                resultats.pdf,
                connection.vendor,
                duree,
            )
            donnees["migrations_et_demo_s"] = preparation
            arguments.json.write_text(json.dumps(donnees, indent=2, ensure_ascii=False))
    finally:
        connections.close_all()
        if arguments.garder:
            print(f"Base gardée : DATABASE_URL={url}")
        else:
            jeter()
        for fichier in dossier.glob("*"):
            fichier.unlink()
        dossier.rmdir()


if __name__ == "__main__":
    main()
