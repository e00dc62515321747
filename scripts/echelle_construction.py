"""The scale benchmark's two sizes of history (scripts/benchmark_echelle.py): the file
imported in chunks, the 17 more prestataires, suspensions and états de rémunération."""

import json
import math
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "scripts"))

import benchmark_import_indicateurs as historique  # noqa: E402  (sets the test settings)

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
        prestataires = Prestataire.objects.filter(parcours__in=parcours_du_mois(mois))
        for prestataire in prestataires.distinct().order_by("code"):
            ouvrir_etat(prestataire, mois)
    return EtatRemuneration.objects.count() - avant


def parcours_du_mois(mois: date):
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
