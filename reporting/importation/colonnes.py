"""The columns of docs/contrats.md §2 and how one cell of them is read: the column names, the
required ones, the optional blocks a row restates, the errors (`line N: column: message`, in
the table's order) and the import-export widgets that turn a cell into a value or a French
message."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from import_export import widgets

from prestataires.models.parcours import AXES_EVALUATION
from procurement.models import Commune
from procurement.text import normalise

# docs/contrats.md §2, in the table's order (errors are listed in this order within a line).
COLONNES = (
    "reference", "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune",
    "lot", "prestataire", "conseiller", "travailleur_social", "date_prescription",
    "motif_prescription", "freins", "date_commission", "decision", "motif_refus", "duree_mois",
    "session", "date_entree", "date_sortie", "type_sortie", "sortie_anticipee",
    "motif_sortie_anticipee", "stage_entreprise", "stage_debut", "stage_fin", "satisfaction",
    "eval_entree_projet", "eval_entree_freins", "eval_entree_engagement",
    "eval_entree_savoir_etre", "eval_sortie_projet", "eval_sortie_freins",
    "eval_sortie_engagement", "eval_sortie_savoir_etre", "bilan_transmis",
)  # fmt: skip
OBLIGATOIRES = (
    "reference", "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune",
    "lot", "prestataire", "conseiller", "date_prescription",
)  # fmt: skip
EVAL_ENTREE = tuple(f"eval_entree_{axe}" for axe in AXES_EVALUATION)
EVAL_SORTIE = tuple(f"eval_sortie_{axe}" for axe in AXES_EVALUATION)
STAGE = ("stage_entreprise", "stage_debut", "stage_fin")
# The optional blocks: a row that fills one restates it; one left empty keeps the database's.
BLOCS = {
    "travailleur_social": ("travailleur_social",),
    "motif_prescription": ("motif_prescription",),
    "freins": ("freins",),
    "decision": ("decision", "date_commission", "motif_refus", "duree_mois"),
    "session": ("session",),
    "date_entree": ("date_entree",),
    "sortie": ("date_sortie", "type_sortie", "sortie_anticipee", "motif_sortie_anticipee"),
    "stage": STAGE,
    "satisfaction": ("satisfaction",),
    "eval_entree": EVAL_ENTREE,
    "eval_sortie": EVAL_SORTIE,
    "bilan_transmis": ("bilan_transmis",),
}
RANG = {colonne: rang for rang, colonne in enumerate(COLONNES)}


@dataclass(frozen=True)
class Erreur:
    ligne: int
    colonne: str
    message: str

    def __str__(self):
        return f"line {self.ligne}: {self.colonne}: {self.message}"


def ordre(erreur: Erreur):
    """Errors are listed by line, then in the table's order."""
    return erreur.ligne, RANG.get(erreur.colonne, -1)


def en_texte(valeur) -> str:
    """A cell as the text it shows, without surrounding spaces ("" for an empty cell)."""
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)  # a spreadsheet's 12 is read as 12.0
    return str(valeur).strip()


class Texte(widgets.Widget):
    def __init__(self, longueur_max: int | None = None):
        super().__init__()
        self.longueur_max = longueur_max

    def clean(self, value, row=None, **kwargs):
        texte = en_texte(value)
        if self.longueur_max and len(texte) > self.longueur_max:
            raise ValueError(f"{len(texte)} caractères : {self.longueur_max} au plus")
        return texte


class Date(widgets.Widget):
    """YYYY-MM-DD or DD/MM/YYYY (read without strptime: ten thousand rows hold many dates)."""

    FORMATS = (
        (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),
        (re.compile(r"^(\d{2})/(\d{2})/(\d{4})$"), (3, 2, 1)),
    )

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):  # a date cell of a spreadsheet
            return value.date()
        if isinstance(value, date):
            return value
        texte = en_texte(value)
        if not texte:
            return None
        return _date(texte)


@lru_cache(maxsize=65536)
def _date(texte: str) -> date:
    """A date's text read once: a file repeats its commission, entry and exit days (an
    unreadable one raises each time: lru_cache keeps no exception)."""
    for motif, (annee, mois, jour) in Date.FORMATS:
        lu = motif.match(texte)
        if lu:
            try:
                return date(int(lu[annee]), int(lu[mois]), int(lu[jour]))
            except ValueError:
                break
    raise ValueError(f"date invalide « {texte} » : attendu AAAA-MM-JJ ou JJ/MM/AAAA")


class Entier(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        texte = en_texte(value)
        if not texte:
            return None
        try:
            return int(texte)
        except ValueError:
            raise ValueError(f"« {texte} » n'est pas un nombre entier") from None


class Choix(widgets.Widget):
    """One value of a short list, case and accents ignored ("Validée" is `validee`)."""

    def __init__(self, choix: dict, attendu: str):
        super().__init__()
        self.choix, self.attendu = choix, attendu

    def clean(self, value, row=None, **kwargs):
        texte = en_texte(value)
        if not texte:
            return None
        try:
            return self.choix[_cle_de_choix(texte)]
        except KeyError:
            raise ValueError(f"valeur « {texte} » inconnue : {self.attendu}") from None


@lru_cache(maxsize=1024)
def _cle_de_choix(texte: str) -> str:
    return normalise(texte).replace(" ", "_")


class Reference(widgets.Widget):
    """A record of a référentiel loaded once for the whole file, by its code."""

    def __init__(self, quoi: str, lecture=str.lower, attendu: str = ""):
        super().__init__()
        self.quoi, self.lecture, self.attendu, self.objets = quoi, lecture, attendu, {}

    def trouver(self, texte):
        objet = self.objets.get(self.lecture(texte))
        if objet is None:
            raise ValueError(
                f"{self.quoi} inconnu « {texte} »" + (f" : {self.attendu}" if self.attendu else "")
            )
        return objet

    def clean(self, value, row=None, **kwargs):
        texte = en_texte(value)
        return self.trouver(texte) if texte else None


class Codes(Reference):
    """Several codes separated by `|`."""

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in en_texte(value).split("|") if code.strip()]
        return tuple(dict.fromkeys(self.trouver(code) for code in codes))


class CommuneWidget(widgets.Widget):
    """Code or name, case and accents ignored (`Commune.objects.resolve`), once per spelling."""

    def __init__(self):
        super().__init__()
        self.vues = {}

    def clean(self, value, row=None, **kwargs):
        texte = en_texte(value)
        if not texte:
            return None
        if texte not in self.vues:
            self.vues[texte] = Commune.objects.resolve(texte)
        if self.vues[texte] is None:
            raise ValueError(f"commune inconnue « {texte} »")
        return self.vues[texte]
