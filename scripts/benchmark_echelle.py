"""Every page at two sizes of history, the import and the PDFs: the scale benchmark (issue 17).

    .venv/bin/python scripts/benchmark_echelle.py [--petit 1000] [--grand 100000]
        [--repetitions 7] [--json FICHIER]

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
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "scripts"))

import benchmark_import_indicateurs as historique  # noqa: E402  (sets the test settings)

BASE_DE_TEST = "benchmark_echelle"
LIGNES_PAR_FICHIER = 10_000
NOUVEAUX_PRESTATAIRES = [
    "DELTA", "EPSILON", "ZETA", "ETA", "THETA", "IOTA", "KAPPA", "LAMBDA", "MU", "NU", "XI",
    "OMICRON", "PI", "RHO", "SIGMA", "TAU", "UPSILON",
]  # fmt: skip


def lots_tenus(code: str) -> list[int]:
    """The demo's three hold one lot each; of the others, one in three holds both lots, the
    rest lot 1 or lot 2 in turn."""
    demo = {"ALPHA": [1], "BETA": [1], "GAMMA": [2]}
    if code in demo:
        return demo[code]
    return [[1, 2], [1], [2]][NOUVEAUX_PRESTATAIRES.index(code) % 3]


# The sessions' prestataire turns over this list (code, lot): ALPHA is the biggest, as in the
# demo; a prestataire holding both lots appears once per lot.
ROTATION = (
    [("ALPHA", 1)] * 4
    + [("BETA", 1)] * 2
    + [("GAMMA", 2)] * 2
    + [(code, lot) for code in NOUVEAUX_PRESTATAIRES for lot in lots_tenus(code)]
)
MOIS_D_ETATS = 3
PART_SUSPENDUE = 0.03


# --- The history -----------------------------------------------------------------------------


class _Graine:
    """Stands for the `random` module in the helper's `generer`, which seeds its own
    Random(2026): each file of history gets its own seed, hence its own dates."""

    def __init__(self, graine: int):
        self.graine = graine

    def Random(self, _graine):  # noqa: N802 -- the name `generer` calls
        return random.Random(self.graine)


@contextmanager
def _generateur(numero: int):
    anciens = historique.PRESTATAIRES, historique.random
    historique.PRESTATAIRES, historique.random = ROTATION, _Graine(2026 + numero)
    try:
        yield historique.generer
    finally:
        historique.PRESTATAIRES, historique.random = anciens


class Historique:
    """Files of history rows, each numbered: references, names and sessions carry the
    number, so no two files name the same prescription, person or session."""

    def __init__(self, aujourd_hui: date):
        self.aujourd_hui = aujourd_hui
        self.numero = 0

    def rangees(self, parcours: int, lignes_max: int) -> list[dict]:
        """At most `lignes_max` rows holding `parcours` parcours (rows with a session), fewer
        when the rows run out first."""
        self.numero += 1
        prefixe = f"ECH{self.numero:03d}"
        lignes = min(lignes_max, math.ceil(parcours / 0.75) + 20)
        with _generateur(self.numero) as generer:
            rangees = generer(lignes, self.aujourd_hui)
        gardees, avec_session = [], 0
        for valeurs in rangees:
            if avec_session >= parcours:
                break
            avec_session += bool(valeurs.get("session"))
            valeurs["reference"] = f"{prefixe}-{valeurs['reference'].removeprefix('HIST-')}"
            valeurs["nom"] = f"{valeurs['nom'][:-6]}{self.numero:03d}{valeurs['nom'][-6:]}"
            if valeurs.get("session"):
                valeurs["session"] = f"{prefixe}-{valeurs['session'].removeprefix('HIST-')}"
            gardees.append(valeurs)
        return gardees

    def session_du_bon(self, personnes: int, prestataire: str = "ALPHA") -> list[dict]:
        """One running lot 1 session of `personnes` people who entered six weeks ago: its
        bon de commande has that many lines."""
        commission = self.aujourd_hui - timedelta(days=50)
        rangees = []
        for rang in range(personnes):
            rangees.append(
                {
                    "reference": f"ECH-BC-{rang:03d}",
                    "nom": f"COMMANDE{rang:03d}",
                    "prenom": historique.PRENOMS[rang % len(historique.PRENOMS)],
                    "date_naissance": (date(1980, 1, 1) + timedelta(days=97 * rang)).isoformat(),
                    "genre": "FMX"[rang % 3],
                    "niveau_formation": historique.NIVEAUX[rang % len(historique.NIVEAUX)],
                    "commune": historique.COMMUNES[rang % len(historique.COMMUNES)],
                    "lot": "1",
                    "prestataire": prestataire,
                    "conseiller": "conseiller1",
                    "date_prescription": (commission - timedelta(days=10)).isoformat(),
                    "motif_prescription": "Accompagnement vers l'emploi",
                    "date_commission": commission.isoformat(),
                    "decision": "validee",
                    "duree_mois": "6",
                    "session": f"ECH-BC-{self.aujourd_hui:%Y%m}",
                    "date_entree": (commission + timedelta(days=5)).isoformat(),
                }
            )
        return rangees


def ecrire_fichier(morceaux, chemin: Path) -> int:
    """Write lists of rows as one CSV file (the helper's `ecrire_csv` per list, the header
    once): the rows of one list at a time in memory. Returns the number of rows."""
    total = 0
    with chemin.open("w", encoding="utf-8") as sortie:
        for rangees in morceaux:
            if not rangees:
                continue
            morceau = chemin.with_suffix(".morceau.csv")
            historique.ecrire_csv(rangees, morceau)
            texte = morceau.read_text(encoding="utf-8")
            morceau.unlink()
            if total:
                texte = texte.split("\n", 1)[1]
            sortie.write(texte if texte.endswith("\n") else texte + "\n")
            total += len(rangees)
    return total


def importer_fichier(chemin: Path):
    """Import one file in this process; a refused file stops the benchmark with its first
    errors."""
    from reporting.importation import Fichier, importer, utilisateur_de_reprise

    rapport = importer(
        Fichier(nom=chemin.name, contenu=chemin.read_bytes()), par=utilisateur_de_reprise()
    )
    if not rapport.valide:
        erreurs = "\n".join(str(erreur) for erreur in rapport.erreurs[:20])
        raise RuntimeError(f"Import refusé de {chemin.name} :\n{erreurs}")
    return rapport


_MESURE_MEMOIRE = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import django
django.setup()
from reporting.importation import Fichier, importer, utilisateur_de_reprise
chemin = Path(sys.argv[1])
depart = time.perf_counter()
rapport = importer(Fichier(nom=chemin.name, contenu=chemin.read_bytes()),
                   par=utilisateur_de_reprise())
print(json.dumps({
    "secondes": time.perf_counter() - depart,
    "pic_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "erreurs": [str(erreur) for erreur in rapport.erreurs[:20]],
}))
"""


def importer_dans_un_processus(chemin: Path) -> dict:
    """Import one file in a process of its own: its time and its peak resident memory."""
    from django.db import connection

    connection.close()  # SQLite: nothing held while the other process writes
    resultat = subprocess.run(
        [sys.executable, "-c", _MESURE_MEMOIRE, str(chemin), str(RACINE)],
        capture_output=True,
        text=True,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
    )
    if resultat.returncode != 0:
        raise RuntimeError(f"Import dans un processus séparé en échec :\n{resultat.stderr}")
    mesure = json.loads(resultat.stdout.strip().splitlines()[-1])
    if mesure["erreurs"]:
        raise RuntimeError("Import refusé :\n" + "\n".join(mesure["erreurs"]))
    return mesure


# --- The base --------------------------------------------------------------------------------


def ajouter_les_prestataires():
    """The 17 prestataires beyond the demo's three, their lots from 2020 and, for two in
    three, a direction user (the others are followed by the DEL only)."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from procurement.models import AttributionLot, Lot, Prestataire

    lots = {lot.numero: lot for lot in Lot.objects.all()}
    direction = Group.objects.get(name=Role.PRESTATAIRE_DIRECTION.value)
    for rang, code in enumerate(NOUVEAUX_PRESTATAIRES):
        prestataire, _ = Prestataire.objects.get_or_create(
            code=code, defaults={"raison_sociale": f"{code.capitalize()} Insertion"}
        )
        for numero in lots_tenus(code):
            AttributionLot.objects.get_or_create(
                prestataire=prestataire,
                lot=lots[numero],
                date_debut=date(2020, 1, 1),
                defaults={
                    "reference_marche": f"Marché DEL 2020-PI lot {numero}",
                    "volume_annuel_min": 1,
                    "volume_annuel_max": 900,
                },
            )
        if rang % 3 != 2:
            user, _ = User.objects.get_or_create(
                username=f"{code.lower()}1",
                defaults={"prestataire": prestataire, "email": f"{code.lower()}1@del.nc"},
            )
            user.groups.add(direction)


def parcours_existants() -> int:
    from prestataires.models import Parcours

    return Parcours.objects.count()


def suspendre_quelques_parcours(depuis_pk: int, aujourd_hui: date) -> int:
    """A share of the running parcours imported since `depuis_pk` had a two-week suspension
    (health, family, housing) a fortnight after entering: recorded closed, their planned end
    moved back by its days, as the application does when a parcours resumes."""
    from django.db.models import DateField, ExpressionWrapper, F

    from accounts.models import User
    from prestataires.enums import MotifSuspension
    from prestataires.models import Parcours, Suspension

    par = User.objects.get(username="gestionnaire1")
    candidats = list(
        Parcours.objects.filter(
            pk__gt=depuis_pk,
            date_entree__lte=aujourd_hui - timedelta(days=40),
            date_sortie__isnull=True,
        ).values_list("pk", "date_entree")
    )
    hasard = random.Random(depuis_pk)
    choisis = hasard.sample(candidats, math.ceil(len(candidats) * PART_SUSPENDUE))
    motifs = list(MotifSuspension.values)
    Suspension.objects.bulk_create(
        Suspension(
            parcours_id=pk,
            debut=entree + timedelta(days=15),
            fin=entree + timedelta(days=29),
            motif=motifs[rang % len(motifs)],
            commentaire="Benchmark",
            par=par,
        )
        for rang, (pk, entree) in enumerate(choisis)
    )
    Parcours.objects.filter(pk__in=[pk for pk, _ in choisis]).update(
        fin_prevue=ExpressionWrapper(F("fin_prevue") + timedelta(days=14), output_field=DateField())
    )
    return len(choisis)


def ouvrir_les_etats(aujourd_hui: date) -> int:
    """The last MOIS_D_ETATS months' état of every prestataire with a parcours then, oldest
    first (the demo's own états are kept). Returns how many were opened."""
    from procurement.calendrier import ajouter_mois, mois_de
    from procurement.models import Prestataire
    from remunerations.models import EtatRemuneration
    from remunerations.services import ouvrir_etat

    avant = EtatRemuneration.objects.count()
    for ecart in range(MOIS_D_ETATS, 0, -1):
        mois = ajouter_mois(mois_de(aujourd_hui), -ecart)
        prestataires = Prestataire.objects.filter(parcours__in=_parcours_du_mois(mois))
        for prestataire in prestataires.distinct().order_by("code"):
            ouvrir_etat(prestataire, mois)
    return EtatRemuneration.objects.count() - avant


def _parcours_du_mois(mois: date):
    from prestataires.models import Parcours
    from remunerations.calcul import parcours_couvrant

    return Parcours.objects.filter(parcours_couvrant(mois))


@dataclass
class Construction:
    parcours: int
    secondes: float
    lignes_importees: int
    suspensions: int = 0
    etats: int = 0
    import_lignes: int | None = None
    import_secondes: float | None = None
    reimport_secondes: float | None = None
    memoire_lignes: int | None = None
    memoire_pic_mo: float | None = None
    memoire_secondes: float | None = None


class Constructeur:
    """Builds the history up to a number of parcours, file after file, in one database."""

    def __init__(self, dossier: Path, aujourd_hui: date, *, lignes_du_bon: int = 80):
        self.dossier = dossier
        self.aujourd_hui = aujourd_hui
        self.historique = Historique(aujourd_hui)
        self.lignes_du_bon = lignes_du_bon
        self.fichiers = 0

    def _fichier(self, morceaux) -> tuple[Path, int]:
        self.fichiers += 1
        chemin = self.dossier / f"historique-{self.fichiers:03d}.csv"
        return chemin, ecrire_fichier(morceaux, chemin)

    def _morceau(self, lignes_max: int, cible: int, deja: int) -> list[dict]:
        return self.historique.rangees(max(cible - deja, 0), lignes_max)

    def petit(self, cible: int) -> Construction:
        """The demo plus the prestataires, the 80-person session, history up to `cible`
        parcours, suspensions and états."""
        from prestataires.models import Parcours

        depart = time.perf_counter()
        ajouter_les_prestataires()
        depuis = Parcours.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        lignes = 0
        chemin, n = self._fichier([self.historique.session_du_bon(self.lignes_du_bon)])
        importer_fichier(chemin)
        lignes += n
        while (deja := parcours_existants()) < cible:
            chemin, n = self._fichier([self._morceau(LIGNES_PAR_FICHIER, cible, deja)])
            importer_fichier(chemin)
            lignes += n
        suspensions = suspendre_quelques_parcours(depuis, self.aujourd_hui)
        etats = ouvrir_les_etats(self.aujourd_hui)
        return Construction(
            parcours=parcours_existants(),
            secondes=time.perf_counter() - depart,
            lignes_importees=lignes,
            suspensions=suspensions,
            etats=etats,
        )

    def grandir(
        self,
        cible: int,
        *,
        lignes_import: int = LIGNES_PAR_FICHIER,
        lignes_memoire: int = 100_000,
        processus_separe: bool = True,
    ) -> Construction:
        """Grow to `cible` parcours: a first file of `lignes_import` rows timed, and timed
        again re-imported unchanged; then `lignes_memoire` rows in a separate process (its
        peak memory), or in this one when `processus_separe` is false (an in-memory test
        database); the rest in files of LIGNES_PAR_FICHIER rows; then suspensions."""
        from prestataires.models import Parcours

        depart = time.perf_counter()
        depuis = Parcours.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        mesures = Construction(parcours=0, secondes=0, lignes_importees=0)

        chemin, n = self._fichier([self._morceau(lignes_import, cible, parcours_existants())])
        debut = time.perf_counter()
        importer_fichier(chemin)
        mesures.import_lignes, mesures.import_secondes = n, time.perf_counter() - debut
        debut = time.perf_counter()
        rapport = importer_fichier(chemin)
        mesures.reimport_secondes = time.perf_counter() - debut
        if rapport.crees or rapport.mises_a_jour:
            raise RuntimeError(f"Le réimport a changé des lignes : {rapport.resume()}")
        mesures.lignes_importees += n

        if parcours_existants() < cible and lignes_memoire:

            def morceaux():
                """Files of rows, one in memory at a time, up to `lignes_memoire` rows."""
                reste, deja = lignes_memoire, parcours_existants()
                while reste > 0 and deja < cible:
                    rangees = self._morceau(min(reste, LIGNES_PAR_FICHIER), cible, deja)
                    if not rangees:
                        return
                    reste -= len(rangees)
                    deja += sum(1 for valeurs in rangees if valeurs.get("session"))
                    yield rangees

            chemin, n = self._fichier(morceaux())
            if processus_separe:
                mesure = importer_dans_un_processus(chemin)
                mesures.memoire_pic_mo = mesure["pic_mo"]
                mesures.memoire_secondes = mesure["secondes"]
            else:
                importer_fichier(chemin)
            mesures.memoire_lignes = n
            mesures.lignes_importees += n
            chemin.unlink()

        while (deja := parcours_existants()) < cible:
            chemin, n = self._fichier([self._morceau(LIGNES_PAR_FICHIER, cible, deja)])
            importer_fichier(chemin)
            mesures.lignes_importees += n
            chemin.unlink()
        mesures.suspensions = suspendre_quelques_parcours(depuis, self.aujourd_hui)
        mesures.parcours = parcours_existants()
        mesures.secondes = time.perf_counter() - depart
        return mesures


# --- The pages -------------------------------------------------------------------------------


@dataclass
class Page:
    libelle: str
    role: str  # the username who fetches it
    url: str
    # A file made in the background: the request queues a job (run at once by the test
    # settings' immediate backend) and redirects to the job's page, which is followed.
    travail: bool = False


@dataclass
class Mesure:
    statut: int
    ms: float | None = None
    requetes: int | None = None
    ko: float | None = None
    repetitions: int = 0


@dataclass
class Sujets:
    """The records the detail pages show, chosen once at the small size and kept."""

    etat: int
    direction_de_l_etat: str
    bon: int
    lignes_du_bon: int
    parcours: int
    bon_avec_desistement: int | None = None


def choisir_les_sujets(lignes_du_bon: int = 80) -> Sujets:
    """The biggest open état (the most parcours in its month) with a direction user of its
    prestataire, the bon of the `lignes_du_bon`-person session, and a parcours of ALPHA with
    a suspension (one with a stage otherwise); and the demo's bon with a withdrawn person,
    whose page offers the prestataire's submitted prescriptions as substitutes."""
    from django.db.models import Count

    from accounts.models import User
    from accounts.roles import Role
    from bons_de_commande.enums import EtatLigne
    from bons_de_commande.models import BonDeCommande
    from prestataires.models import Parcours
    from remunerations.enums import EtatDeclaration
    from remunerations.models import EtatRemuneration

    def taille(etat):
        return _parcours_du_mois(etat.mois).filter(prestataire_id=etat.prestataire_id).count()

    ouverts = EtatRemuneration.objects.exclude(etat=EtatDeclaration.ACCEPTE)
    ouverts = ouverts.filter(
        prestataire__utilisateurs__groups__name=Role.PRESTATAIRE_DIRECTION.value
    )
    etat = max(ouverts.distinct().order_by("pk"), key=taille)
    direction = (
        User.objects.filter(
            prestataire_id=etat.prestataire_id, groups__name=Role.PRESTATAIRE_DIRECTION.value
        )
        .order_by("username")
        .first()
    )
    bon = (
        BonDeCommande.objects.annotate(n=Count("lignes"))
        .filter(n=lignes_du_bon, numero__startswith="ECH-BC")
        .order_by("pk")
        .first()
    ) or BonDeCommande.objects.annotate(n=Count("lignes")).order_by("-n", "pk").first()
    alpha = Parcours.objects.filter(prestataire__code="ALPHA").order_by("pk")
    parcours = (
        alpha.filter(suspensions__isnull=False).first()
        or alpha.filter(stages__isnull=False).first()
        or alpha.first()
    )
    return Sujets(
        etat=etat.pk,
        direction_de_l_etat=direction.username,
        bon=bon.pk,
        lignes_du_bon=bon.lignes.count(),
        parcours=parcours.pk,
        bon_avec_desistement=BonDeCommande.objects.filter(
            lignes__etat__in=[EtatLigne.DESISTEMENT, EtatLigne.RETIREE]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
    )


def les_pages(sujets: Sujets, aujourd_hui: date) -> list[Page]:
    from django.urls import reverse

    annee = aujourd_hui.year - 1
    return [
        Page("Tableau de bord (pilotage)", "gestionnaire1", reverse("pilotage:index")),
        Page("Accueil du prestataire (ALPHA)", "alpha1", reverse("accueil:index")),
        Page("Synthèse des rémunérations", "finance1", reverse("remunerations:synthese")),
        Page("Liste des états de rémunération", "finance1", reverse("remunerations:index")),
        Page(
            "Un état de rémunération (le plus grand ouvert)",
            sujets.direction_de_l_etat,
            reverse("remunerations:detail", args=[sujets.etat]),
        ),
        Page("Liste des bons de commande", "gestionnaire1", reverse("commandes:index")),
        Page(
            f"Un bon de commande ({sujets.lignes_du_bon} lignes)",
            "gestionnaire1",
            reverse("commandes:detail", args=[sujets.bon]),
        ),
        *(
            [
                Page(
                    "Un bon de commande avec un désistement (démo : choix du remplaçant)",
                    "gestionnaire1",
                    reverse("commandes:detail", args=[sujets.bon_avec_desistement]),
                )
            ]
            if sujets.bon_avec_desistement
            else []
        ),
        Page("Liste des séances de commission", "gestionnaire1", reverse("seances:index")),
        Page(
            "Indicateurs, toutes les années (écran)",
            "gestionnaire1",
            f"{reverse('indicateurs:index')}?du=2022-01-01&au={aujourd_hui.isoformat()}",
        ),
        Page(
            f"Indicateurs PDF, {annee}",
            "gestionnaire1",
            f"{reverse('indicateurs:export', kwargs={'format_': 'pdf'})}"
            f"?du={annee}-01-01&au={annee}-12-31",
            travail=True,
        ),
        Page("Liste des prescriptions", "conseiller1", reverse("prescriptions:index")),
        Page("Liste des demandeurs", "conseiller1", reverse("demandeurs:index")),
        Page("Liste des parcours (ALPHA)", "alpha1", reverse("parcours:index")),
        Page("Un parcours", "alpha1", reverse("parcours:detail", args=[sujets.parcours])),
        Page("Liste des bilans de fin de parcours", "gestionnaire1", reverse("bilans:index")),
        Page("viewflow : boîte de réception (bilans)", "gestionnaire1", reverse("bilan:inbox")),
        Page("viewflow : file d'attente (bilans)", "gestionnaire1", reverse("bilan:queue")),
        Page("viewflow : processus (bilans)", "gestionnaire1", reverse("bilan:process_list")),
    ]


def _taille(reponse) -> int:
    if reponse.streaming:
        return sum(len(morceau) for morceau in reponse.streaming_content)
    return len(reponse.content)


def mesurer_page(
    client, url: str, repetitions: int, budget: float, *, suivre: bool = False
) -> Mesure:
    """One warm-up, then the median of `repetitions` requests, fewer (one at least) when
    they would pass `budget` seconds; the queries and bytes of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    depart = time.perf_counter()
    reponse = client.get(url, follow=suivre)
    _taille(reponse)
    echauffement = time.perf_counter() - depart
    if reponse.status_code != 200:
        return Mesure(statut=reponse.status_code)
    fois = max(1, min(repetitions, int(budget // max(echauffement, 1e-6))))
    durees = []
    for _ in range(fois):
        with CaptureQueriesContext(connection) as requetes:
            depart = time.perf_counter()
            reponse = client.get(url, follow=suivre)
            taille = _taille(reponse)
            durees.append(time.perf_counter() - depart)
        if reponse.status_code != 200:
            return Mesure(statut=reponse.status_code)
    return Mesure(
        statut=200,
        ms=statistics.median(durees) * 1000,
        requetes=len(requetes),
        ko=taille / 1024,
        repetitions=fois,
    )


def mesurer_les_pages(pages: list[Page], repetitions: int, budget: float) -> list[Mesure]:
    from django.test import Client

    from accounts.models import User

    clients = {}
    mesures = []
    for page in pages:
        if page.role not in clients:
            clients[page.role] = Client(raise_request_exception=False)
            clients[page.role].force_login(User.objects.get(username=page.role))
        mesures.append(
            mesurer_page(clients[page.role], page.url, repetitions, budget, suivre=page.travail)
        )
    return mesures


# --- The PDFs --------------------------------------------------------------------------------

PAGE_VIDE = "<!doctype html><html><body><p>Page vide</p></body></html>"
_PROCESSUS_PDF = """
import sys
from pathlib import Path
from weasyprint import HTML
HTML(string=Path(sys.argv[1]).read_text(encoding="utf-8"), base_url=sys.argv[2]).write_pdf()
"""


def html_du_bon(bon_pk: int) -> str:
    """The HTML the bon de commande's PDF is laid out from, as its issue renders it."""
    from django.template.loader import render_to_string

    from bons_de_commande.models import BonDeCommande
    from bons_de_commande.services import _beneficiaires

    bon = BonDeCommande.objects.get(pk=bon_pk)
    return render_to_string("pdf/bon_de_commande.html", {"bon": bon, "lignes": _beneficiaires(bon)})


def _median(fonction, fois: int) -> float:
    durees = []
    for _ in range(fois):
        depart = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - depart)
    return statistics.median(durees)


def mesurer_les_pdf(bon_pk: int, repetitions: int, dossier: Path) -> dict:
    """An empty page against the bon's PDF: in this process (template rendered and laid out),
    and as whole processes (Python started, WeasyPrint imported, the HTML laid out)."""
    from django.conf import settings
    from weasyprint import HTML

    from bons_de_commande.models import BonDeCommande
    from bons_de_commande.services import _beneficiaires
    from documents.pdf import rendre_pdf

    base = str(settings.BASE_DIR)
    bon = BonDeCommande.objects.get(pk=bon_pk)
    contexte = {"bon": bon, "lignes": list(_beneficiaires(bon))}
    HTML(string=PAGE_VIDE, base_url=base).write_pdf()  # warm-up: fonts, caches
    rendre_pdf("pdf/bon_de_commande.html", contexte)
    vide = _median(lambda: HTML(string=PAGE_VIDE, base_url=base).write_pdf(), repetitions)
    du_bon = _median(lambda: rendre_pdf("pdf/bon_de_commande.html", contexte), repetitions)

    fichiers = {"vide": dossier / "vide.html", "bon": dossier / "bon.html"}
    fichiers["vide"].write_text(PAGE_VIDE, encoding="utf-8")
    fichiers["bon"].write_text(html_du_bon(bon_pk), encoding="utf-8")

    def processus(chemin):
        subprocess.run([sys.executable, "-c", _PROCESSUS_PDF, str(chemin), base], check=True)

    processus_vide = _median(lambda: processus(fichiers["vide"]), max(1, repetitions // 2))
    processus_bon = _median(lambda: processus(fichiers["bon"]), max(1, repetitions // 2))
    return {
        "lignes_du_bon": len(contexte["lignes"]),
        "page_vide_ms": vide * 1000,
        "bon_ms": du_bon * 1000,
        "rapport_en_processus": du_bon / vide,
        "processus_page_vide_ms": processus_vide * 1000,
        "processus_bon_ms": processus_bon * 1000,
        "rapport_processus": processus_bon / processus_vide,
    }


# --- The report ------------------------------------------------------------------------------


def nombre(valeur: float | int) -> str:
    """French thousands: 100 000."""
    return f"{valeur:,.0f}".replace(",", "\u202f")


def _cellule_ms(mesure: Mesure, repetitions: int) -> str:
    """The median; with how many requests it was taken when the budget cut them short."""
    if mesure.statut != 200:
        return f"**erreur {mesure.statut}**"
    suffixe = f" ({mesure.repetitions}×)" if mesure.repetitions < repetitions else ""
    return f"{nombre(mesure.ms)}{suffixe}"


def tableau_des_pages(
    pages, petites, grandes, parcours_petit, parcours_grand, repetitions: int = 1
) -> str:
    """The Markdown table: page, role, ms at each size, ratio, queries at each size, KB at
    the large size; a page that answered anything but 200 shows its status, a median taken
    over fewer than `repetitions` requests (the budget) says over how many."""
    lignes = [
        f"| page | rôle | ms à {nombre(parcours_petit)} | ms à {nombre(parcours_grand)} | "
        f"ratio | requêtes à {nombre(parcours_petit)} | requêtes à {nombre(parcours_grand)} | "
        f"Ko à {nombre(parcours_grand)} |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for page, petite, grande in zip(pages, petites, grandes, strict=True):
        ok = petite.statut == 200 and grande.statut == 200
        ratio = f"{grande.ms / petite.ms:.1f}×" if ok and petite.ms else "–"
        lignes.append(
            f"| {page.libelle} | {page.role} | {_cellule_ms(petite, repetitions)} | "
            f"{_cellule_ms(grande, repetitions)} | "
            f"{ratio} | {petite.requetes if petite.requetes is not None else '–'} | "
            f"{grande.requetes if grande.requetes is not None else '–'} | "
            f"{nombre(grande.ko) if grande.ko is not None else '–'} |"
        )
    return "\n".join(lignes)


def tableau_des_chiffres(petit: Construction, grand: Construction, pdf: dict | None) -> str:
    lignes = ["| mesure | valeur |", "|---|--:|"]

    def ajouter(libelle, valeur):
        if valeur is not None:
            lignes.append(f"| {libelle} | {valeur} |")

    ajouter(
        f"construction à {nombre(petit.parcours)} parcours ({nombre(petit.lignes_importees)} "
        "lignes importées)",
        f"{petit.secondes:.1f} s",
    )
    ajouter(
        f"croissance à {nombre(grand.parcours)} parcours (+{nombre(grand.lignes_importees)} "
        "lignes importées)",
        f"{grand.secondes:.1f} s",
    )
    if grand.import_secondes is not None:
        debit = grand.import_lignes / grand.import_secondes if grand.import_secondes else 0
        ajouter(
            f"import de {nombre(grand.import_lignes)} lignes",
            f"{grand.import_secondes:.1f} s ({nombre(debit)} lignes/s)",
        )
        part = grand.reimport_secondes / grand.import_secondes if grand.import_secondes else 0
        ajouter(
            f"réimport inchangé des {nombre(grand.import_lignes)} lignes",
            f"{grand.reimport_secondes:.1f} s ({part:.0%} de l'import)",
        )
    if grand.memoire_pic_mo is not None:
        ajouter(
            f"import de {nombre(grand.memoire_lignes)} lignes dans un processus : pic de mémoire",
            f"{nombre(grand.memoire_pic_mo)} Mo (en {grand.memoire_secondes:.0f} s)",
        )
    if pdf:
        ajouter("PDF : page vide WeasyPrint, en processus", f"{pdf['page_vide_ms']:.0f} ms")
        ajouter(
            f"PDF : bon de commande de {pdf['lignes_du_bon']} lignes, en processus",
            f"{pdf['bon_ms']:.0f} ms ({pdf['rapport_en_processus']:.1f}× la page vide)",
        )
        ajouter("PDF : page vide, processus complet", f"{pdf['processus_page_vide_ms']:.0f} ms")
        ajouter(
            f"PDF : bon de commande de {pdf['lignes_du_bon']} lignes, processus complet",
            f"{pdf['processus_bon_ms']:.0f} ms ({pdf['rapport_processus']:.1f}× la page vide)",
        )
    return "\n".join(lignes)


def en_json(pages, petites, grandes, petit, grand, pdf, base: str, duree: float) -> dict:
    return {
        "base": base,
        "duree_totale_s": duree,
        "petit": asdict(petit),
        "grand": asdict(grand),
        "pages": [
            {
                "page": page.libelle,
                "role": page.role,
                "url": page.url,
                "petit": asdict(petite),
                "grand": asdict(grande),
                "ratio": grande.ms / petite.ms
                if petite.statut == grande.statut == 200 and petite.ms
                else None,
            }
            for page, petite, grande in zip(pages, petites, grandes, strict=True)
        ],
        "pdf": pdf,
    }


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
    arguments = parser.parse_args()
    if not 0 < arguments.petit < arguments.grand:
        parser.error("--petit doit être positif et plus petit que --grand.")

    debut = time.perf_counter()
    historique.BASE_DE_TEST = BASE_DE_TEST
    url, jeter = historique.preparer_la_base()
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
        jeter()
        for fichier in dossier.glob("*"):
            fichier.unlink()
        dossier.rmdir()


if __name__ == "__main__":
    main()
