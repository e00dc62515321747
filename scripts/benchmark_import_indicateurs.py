"""Time the import of a parcours history (docs/contrats.md §2) and the indicators over it (§3).

    .venv/bin/python scripts/benchmark_import_indicateurs.py [--lignes 10000] [--base NOM]
        [--profil FICHIER] [--sans-indicateurs] [--sous-processus]

Works in a throwaway database: a temporary SQLite file by default; with DATABASE_URL set to
PostgreSQL, a database named `benchmark_parcours` (or `--base NOM`, so that several people can
run it on one server) on that server, dropped and created again (and dropped at the end). It
migrates, loads the demo data, writes a realistic file (sessions of about ten people at ALPHA,
BETA and GAMMA from 2022 on, every decision, exits of every class, stages, evaluations, sent
bilans), then times: the dry run, the import, the re-import (nothing changes), and
`calculer_indicateurs` over the whole period, for all, for lot 1 and for ALPHA. It prints the
peak memory of the process; with `--sous-processus`, each import runs as a process of its own
(the command, as in production), whose peak memory is given on its line.
`--profil FICHIER` writes a cProfile of the dry run, the import and the re-import to
FICHIER.essai, FICHIER.import and FICHIER.reimport.
"""

import argparse
import cProfile
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RACINE = Path(__file__).resolve().parent.parent
BASE_DE_TEST = "benchmark_parcours"

sys.path.insert(0, str(RACINE))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"


def preparer_la_base(base_de_test: str = BASE_DE_TEST) -> tuple[str, callable]:
    """The DATABASE_URL to work in, and how to throw it away."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        morceaux = urlsplit(url)
        serveur = urlunsplit(morceaux._replace(path="/postgres"))

        def executer(sql):
            with psycopg.connect(serveur, autocommit=True) as connexion:
                connexion.execute(sql)

        executer(f"DROP DATABASE IF EXISTS {base_de_test} WITH (FORCE)")
        executer(f"CREATE DATABASE {base_de_test}")
        return (
            urlunsplit(morceaux._replace(path=f"/{base_de_test}")),
            lambda: executer(f"DROP DATABASE IF EXISTS {base_de_test} WITH (FORCE)"),
        )
    dossier = tempfile.mkdtemp(prefix="benchmark-parcours-")
    return (
        f"sqlite:///{dossier}/benchmark.sqlite3",
        lambda: shutil.rmtree(dossier, ignore_errors=True),
    )


# --- A realistic history --------------------------------------------------------------------

NOMS = ["WAKA", "TEIN", "GOA", "KAI", "NOEL", "PIDJOT", "WAIA", "OUNEMOA", "GOPOEA", "DUPONT"]
PRENOMS = ["Léa", "Marc", "Paul", "Ana", "Rita", "Jean", "Sione", "Mele", "Kalena", "Hugo"]
COMMUNES = ["noumea", "Dumbéa", "MONT-DORE", "paita", "bourail", "la_foa", "Thio", "yate"]
NIVEAUX = ["sans_diplome", "cap_bep", "bac", "bac_2", "bac_3_plus"]
FREINS = ["mobilite", "logement", "sante", "garde_enfants", "numerique", "qualification"]
SORTIES = {
    "ED": ["cdi", "cdd_plus_6_mois", "patente", "creation_entreprise"],
    "SD": ["cdd", "interim", "temps_partiel", "formation_qualifiante"],
    "SP": ["formation_pre_qualifiante", "retour_vie_tribale", "rescolarisation"],
    "": ["sans_solution", "abandon", "demenagement", "sante"],
}
PRESTATAIRES = [("ALPHA", 1), ("BETA", 1), ("GAMMA", 2)]


def generer(lignes: int, aujourd_hui: date) -> list[dict]:
    from procurement.calendrier import ajouter_mois

    hasard = random.Random(2026)
    rangees, session = [], 0
    debut, fin = date(2022, 1, 10), aujourd_hui - timedelta(days=40)
    while len(rangees) < lignes:
        session += 1
        code, lot = PRESTATAIRES[session % len(PRESTATAIRES)]
        commission = debut + timedelta(days=hasard.randrange((fin - debut).days))
        nom_de_session = f"HIST-{commission:%Y}-{session:05d}"
        bilan_transmis = None
        for _ in range(min(10, lignes - len(rangees))):
            rang = len(rangees)
            prescription = commission - timedelta(days=hasard.randrange(5, 60))
            valeurs = {
                "reference": f"HIST-{rang:06d}",
                "nom": f"{hasard.choice(NOMS)}{rang:06d}",
                "prenom": hasard.choice(PRENOMS),
                "date_naissance": (prescription - timedelta(days=hasard.randrange(6600, 20000)))
                .strftime("%d/%m/%Y"),
                "genre": hasard.choice("FMX"),
                "niveau_formation": hasard.choice(NIVEAUX),
                "commune": hasard.choice(COMMUNES),
                "lot": str(lot),
                "prestataire": code,
                "conseiller": hasard.choice(["conseiller1", "conseiller2"]),
                "travailleur_social": "ts1" if hasard.random() < 0.2 else "",
                "date_prescription": prescription.isoformat(),
                "motif_prescription": "Accompagnement vers l'emploi",
                "freins": "|".join(hasard.sample(FREINS, hasard.randrange(0, 3))),
                "date_commission": commission.isoformat(),
            }  # fmt: skip
            tirage = hasard.random()
            if tirage < 0.08:
                valeurs |= {"decision": "refusee", "motif_refus": hasard.choice(FREINS)}
            elif tirage < 0.12:
                valeurs["decision"] = "ajournee"
            elif tirage < 0.15:
                valeurs["date_commission"] = ""
            elif tirage < 0.17:
                valeurs |= {"decision": "validee", "duree_mois": "" if lot == 2 else "6"}
            else:
                duree = 8 if lot == 2 else hasard.randrange(3, 13)
                entree = commission + timedelta(days=hasard.randrange(1, 30))
                fin_prevue = ajouter_mois(entree, duree) - timedelta(days=1)
                valeurs |= {
                    "decision": "validee",
                    "duree_mois": "" if lot == 2 else str(duree),
                    "session": nom_de_session,
                    "date_entree": entree.isoformat(),
                    "eval_entree_projet": str(hasard.randrange(1, 4)),
                    "eval_entree_freins": str(hasard.randrange(1, 4)),
                    "eval_entree_engagement": str(hasard.randrange(1, 4)),
                    "eval_entree_savoir_etre": str(hasard.randrange(1, 4)),
                }
                if entree > aujourd_hui:
                    valeurs["date_entree"] = ""
                    for axe in ("projet", "freins", "engagement", "savoir_etre"):
                        valeurs[f"eval_entree_{axe}"] = ""
                elif fin_prevue <= aujourd_hui and hasard.random() < 0.7:
                    classe = hasard.choice(list(SORTIES))
                    stage_debut = entree + timedelta(days=30)
                    valeurs |= {
                        "date_sortie": fin_prevue.isoformat(),
                        "type_sortie": hasard.choice(SORTIES[classe]),
                        "sortie_anticipee": "non",
                        "stage_entreprise": f"Entreprise {hasard.randrange(40)}",
                        "stage_debut": stage_debut.isoformat(),
                        "stage_fin": (stage_debut + timedelta(days=20)).isoformat(),
                        "satisfaction": str(hasard.randrange(1, 6)),
                        "eval_sortie_projet": str(hasard.randrange(1, 5)),
                        "eval_sortie_freins": str(hasard.randrange(1, 5)),
                        "eval_sortie_engagement": str(hasard.randrange(1, 5)),
                        "eval_sortie_savoir_etre": str(hasard.randrange(1, 5)),
                    }
                elif hasard.random() < 0.5:
                    sortie = entree + timedelta(
                        days=hasard.randrange(10, (fin_prevue - entree).days)
                    )
                    if sortie <= aujourd_hui:
                        valeurs |= {
                            "date_sortie": sortie.isoformat(),
                            "type_sortie": hasard.choice(SORTIES[hasard.choice(list(SORTIES))]),
                            "sortie_anticipee": "oui",
                            "motif_sortie_anticipee": "Départ avant le terme",
                        }
                if fin_prevue + timedelta(days=20) <= aujourd_hui and hasard.random() < 0.3:
                    bilan_transmis = bilan_transmis or fin_prevue + timedelta(days=20)
                    valeurs["bilan_transmis"] = bilan_transmis.isoformat()
            rangees.append(valeurs)
    return rangees


def ecrire_csv(rangees, chemin: Path):
    import tablib

    from reporting.importation import COLONNES

    donnees = tablib.Dataset(headers=list(COLONNES))
    for valeurs in rangees:
        donnees.append([valeurs.get(colonne, "") for colonne in COLONNES])
    chemin.write_text(donnees.export("csv", delimiter=";"), encoding="utf-8")


# --- Timing -----------------------------------------------------------------------------------


def chronometrer(libelle, fonction, mesures):
    depart = time.perf_counter()
    resultat = fonction()
    mesures.append((libelle, time.perf_counter() - depart, resultat))
    return resultat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=10000, help="lignes du fichier (10000)")
    parser.add_argument("--base", default=BASE_DE_TEST, help="base PostgreSQL jetable")
    parser.add_argument("--profil", help="fichier où écrire le profil (cProfile) de l'import")
    parser.add_argument("--sans-indicateurs", action="store_true", help="l'import seulement")
    parser.add_argument(
        "--sous-processus",
        action="store_true",
        help="chaque import dans un processus à part, dont le pic de mémoire est donné",
    )
    arguments = parser.parse_args()

    url, jeter = preparer_la_base(arguments.base)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection, connections

    from procurement.models import today

    try:
        print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
        mesures = []
        chronometrer("migrate", lambda: call_command("migrate", verbosity=0), mesures)
        chronometrer("seed_demo", lambda: call_command("seed_demo", stdout=StringIO()), mesures)
        rangees = chronometrer(
            f"fichier de {arguments.lignes} lignes",
            lambda: generer(arguments.lignes, today()),
            mesures,
        )
        dossier = Path(tempfile.mkdtemp(prefix="benchmark-fichier-"))
        fichier = dossier / "historique.csv"
        ecrire_csv(rangees, fichier)

        def importer(*options):
            if arguments.sous_processus:
                return importer_a_part(*options)
            sortie, erreurs = StringIO(), StringIO()
            try:
                call_command("import_parcours", str(fichier), *options, stdout=sortie,
                             stderr=erreurs)  # fmt: skip
            except SystemExit:
                print(erreurs.getvalue()[:3000])
                raise
            return sortie.getvalue().strip()

        def importer_a_part(*options):
            """The command in a process of its own, started by /usr/bin/time, which gives its
            peak memory (a child of this process would start from this one's: Linux keeps the
            peak of the memory a process had before it executed another program)."""
            with tempfile.NamedTemporaryFile("r") as pic:
                fini = subprocess.run(
                    ["/usr/bin/time", "-f", "%M", "-o", pic.name, sys.executable,
                     str(RACINE / "manage.py"), "import_parcours", str(fichier), *options],
                    env=os.environ | {"DATABASE_URL": url},
                    capture_output=True,
                    text=True,
                )  # fmt: skip
                if fini.returncode:
                    print(fini.stderr[-3000:])
                    raise SystemExit(fini.returncode)
                kilo_octets = int(pic.read().split()[-1])
            derniere = fini.stdout.strip().splitlines()[-1]
            return f"{derniere} [pic mémoire : {kilo_octets // 1024} Mo]"

        for libelle, suffixe, options in (
            ("import à blanc (--dry-run)", "essai", ["--dry-run"]),
            ("import", "import", []),
            ("réimport (rien ne change)", "reimport", []),
        ):
            if arguments.profil:
                profil = cProfile.Profile()
                chronometrer(
                    f"{libelle}, profilé",
                    lambda p=profil, o=options: p.runcall(importer, *o),
                    mesures,
                )
                profil.dump_stats(f"{arguments.profil}.{suffixe}")
            else:
                chronometrer(libelle, lambda o=options: importer(*o), mesures)
        shutil.rmtree(dossier, ignore_errors=True)

        debut = min(date.fromisoformat(r["date_prescription"]) for r in rangees)
        try:
            from reporting.indicateurs import calculer_indicateurs
        except ImportError:
            calculer_indicateurs = None
            print("reporting.indicateurs.calculer_indicateurs n'existe pas encore.")
        if calculer_indicateurs and not arguments.sans_indicateurs:
            for libelle, filtres in (
                ("indicateurs, tout", {}),
                ("indicateurs, lot 1", {"lot": 1}),
                ("indicateurs, ALPHA", {"prestataire": "ALPHA"}),
            ):
                chronometrer(
                    libelle,
                    lambda filtres=filtres: calculer_indicateurs(debut, today(), **filtres),
                    mesures,
                )

        print(f"\n{'étape':<32} {'secondes':>9}  résultat")
        for libelle, duree, resultat in mesures:
            if isinstance(resultat, dict):
                resultat = (
                    f"{resultat['prescriptions']} prescriptions, {resultat['entrees']} entrées, "
                    f"{resultat['sorties']} sorties"
                )
            elif isinstance(resultat, list):
                resultat = f"{len(resultat)} lignes"
            print(f"{libelle:<32} {duree:>9.2f}  {resultat or ''}")
        pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"mémoire maximale du processus : {pic} Mo")
    finally:
        connections.close_all()
        jeter()


if __name__ == "__main__":
    main()
