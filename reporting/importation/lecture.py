"""Reading the file: a CSV (UTF-8, `;` or `,`) or XLSX follow-up spreadsheet as rows under the
contract's column names, each with its line in the file, and the errors of its header."""

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import openpyxl

from .colonnes import OBLIGATOIRES, RANG, Erreur, en_texte, ordre


class FichierIllisible(Exception):
    """The file cannot be read at all (format, encoding): a French message for its field."""


@dataclass
class Fichier:
    nom: str
    contenu: bytes

    @cached_property
    def empreinte(self) -> str:
        return hashlib.sha256(self.contenu).hexdigest()


class Tableau:
    """The file's rows under the contract's column names, read as a stream (`rangees()` reads
    the file again at each call, holding one row at a time), with the errors found in the
    header or the rows' shape and the number of rows, both from a first reading."""

    def __init__(self, lecture: Callable[[], Iterator[tuple[int, list]]]):
        self.lecture = lecture
        self.colonnes: list[str] = []
        self.positions: list[int] = []
        self.total = 0
        self.erreurs: list[Erreur] = []
        self._entete()

    def _non_vides(self):
        return (
            (rang, cellules) for rang, cellules in self.lecture() if any(map(en_texte, cellules))
        )

    def _entete(self):
        """Header checked (unknown, missing and duplicated columns are errors on line 1), rows
        counted, cells beyond the header found: one reading, no row kept."""
        rangees = self._non_vides()
        premiere = next(rangees, None)
        if premiere is None or premiere[0] != 1:
            raise FichierIllisible(
                "La première ligne du fichier doit être l'en-tête (les noms des colonnes)."
            )
        entete = [en_texte(nom).lower() for nom in premiere[1]]
        sans_nom = {position for position, nom in enumerate(entete) if not nom}
        sans_nom_remplies, erreurs, vues = set(), [], set()
        for rang, cellules in rangees:
            self.total += 1
            for position in sans_nom - sans_nom_remplies:
                if en_texte(cellules[position] if position < len(cellules) else None):
                    sans_nom_remplies.add(position)
            if any(en_texte(c) for c in cellules[len(entete) :]):
                erreurs.append(
                    Erreur(rang, f"colonne {len(entete) + 1}", "cellule hors des colonnes "
                           "nommées par l'en-tête (un séparateur en trop ?)")
                )  # fmt: skip
        for position, nom in enumerate(entete):
            if not nom:
                if position in sans_nom_remplies:
                    erreurs.append(Erreur(1, f"colonne {position + 1}", "colonne sans nom"))
            elif nom not in RANG:
                erreurs.append(Erreur(1, nom, "colonne inconnue"))
            elif nom in vues:
                erreurs.append(Erreur(1, nom, "colonne en double"))
            else:
                vues.add(nom)
                self.colonnes.append(nom)
                self.positions.append(position)
        erreurs += [
            Erreur(1, colonne, "colonne obligatoire absente du fichier")
            for colonne in OBLIGATOIRES
            if colonne not in vues
        ]
        self.erreurs = sorted(erreurs, key=ordre)

    @property
    def entete_valide(self) -> bool:
        return not any(erreur.ligne == 1 for erreur in self.erreurs)

    def rangees(self) -> Iterator[tuple[int, dict]]:
        """Each row after the header: its line in the file and its cells by column name."""
        rangees = self._non_vides()
        next(rangees)
        colonnes, positions = self.colonnes, self.positions
        for rang, cellules in rangees:
            largeur = len(cellules)
            yield (
                rang,
                {
                    colonne: cellules[position] if position < largeur else None
                    for colonne, position in zip(colonnes, positions, strict=True)
                },
            )


def _lire_csv(contenu: bytes):
    """UTF-8 with or without BOM; `;` or `,`, whichever the header line uses more. Read with
    the csv module rather than tablib's, which drops blank lines and so the line numbers."""
    pas_en_utf8 = "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 »."
    try:
        entete = contenu.split(b"\n", 1)[0].decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        raise FichierIllisible(pas_en_utf8) from erreur
    separateur = ";" if entete.count(";") >= entete.count(",") else ","

    def lecture():
        """Decoded as it is read: the file's text is never whole in memory."""
        texte = io.TextIOWrapper(io.BytesIO(contenu), encoding="utf-8-sig", newline="")
        lecteur = csv.reader(texte, delimiter=separateur)
        fin_precedente = 0
        try:
            for cellules in lecteur:
                yield fin_precedente + 1, cellules
                fin_precedente = lecteur.line_num
        except UnicodeDecodeError as erreur:
            raise FichierIllisible(pas_en_utf8) from erreur
        except csv.Error as erreur:
            raise FichierIllisible(
                f"Le fichier CSV est mal formé vers la ligne {fin_precedente + 1} : {erreur}."
            ) from erreur

    return lecture


def _lire_xlsx(contenu: bytes):
    """The active sheet, read row by row (openpyxl's read-only mode), formulas as their
    values."""
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        feuille = classeur.active
    except Exception as erreur:  # openpyxl raises many kinds on a file that is not XLSX
        raise FichierIllisible(
            "Le classeur XLSX ne peut pas être lu : enregistrez-le de nouveau au format "
            "« Classeur Excel (.xlsx) »."
        ) from erreur

    def lecture():
        try:
            for rang, cellules in enumerate(feuille.iter_rows(values_only=True), start=1):
                yield rang, list(cellules)
        except Exception as erreur:  # a sheet damaged further than its first rows
            raise FichierIllisible(
                "Le classeur XLSX ne peut pas être lu : enregistrez-le de nouveau au format "
                "« Classeur Excel (.xlsx) »."
            ) from erreur

    return lecture


def compter_lignes(nom: str, flux, jusqu_a: int) -> int:
    """The lines of an uploaded file after its header, counted while it is read by chunks and
    no further than `jusqu_a` + 1: enough to tell a file over a limit without reading it whole
    nor checking it. A CSV's lines are those of the file (as the error messages number them);
    an XLSX's, the rows of its active sheet. A file that cannot be read counts 0: reading it
    says why."""
    if Path(nom).suffix.lower() == ".xlsx":
        try:
            classeur = openpyxl.load_workbook(flux, read_only=True)
            rangs = itertools.islice(classeur.active.iter_rows(values_only=True), jusqu_a + 2)
            lignes = sum(1 for _ in rangs) - 1
            classeur.close()
        except Exception:  # openpyxl raises many kinds on a file that is not XLSX
            lignes = 0
    else:
        sauts, dernier = 0, b"\n"
        for morceau in iter(lambda: flux.read(64 * 1024), b""):
            sauts += morceau.count(b"\n")
            dernier = morceau[-1:]
            if sauts > jusqu_a + 1:
                break
        lignes = sauts - (dernier == b"\n")
    flux.seek(0)
    return max(0, min(lignes, jusqu_a + 1))


def lire(fichier: Fichier) -> Tableau:
    """The file as rows under the contract's column names, header checked."""
    extension = Path(fichier.nom).suffix.lower()
    if extension == ".csv":
        lecture = _lire_csv(fichier.contenu)
    elif extension == ".xlsx":
        lecture = _lire_xlsx(fichier.contenu)
    else:
        raise FichierIllisible("Format non pris en charge : un fichier .csv ou .xlsx est attendu.")
    return Tableau(lecture)
