"""Reading the file: a CSV (UTF-8, `;` or `,`) or XLSX follow-up spreadsheet as rows under the
contract's column names, each with its line in the file, and the errors of its header."""

import csv
import hashlib
import io
import itertools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import openpyxl
import tablib
from import_export.formats import base_formats

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


@dataclass
class Tableau:
    """The file's rows as a tablib Dataset with the contract's column names, the file line of
    each row, and the errors found in the header or the rows' shape."""

    donnees: tablib.Dataset
    lignes: list[int]
    erreurs: list[Erreur]


def _lire_csv(contenu: bytes):
    """UTF-8 with or without BOM; `;` or `,`, whichever the header line uses more. Read with
    the csv module rather than tablib's, which drops blank lines and so the line numbers."""
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        raise FichierIllisible(
            "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 »."
        ) from erreur
    entete = texte.split("\n", 1)[0]
    separateur = ";" if entete.count(";") >= entete.count(",") else ","
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    rangees, fin_precedente = [], 0
    try:
        for cellules in lecteur:
            rangees.append((fin_precedente + 1, cellules))
            fin_precedente = lecteur.line_num
    except csv.Error as erreur:
        raise FichierIllisible(
            f"Le fichier CSV est mal formé vers la ligne {fin_precedente + 1} : {erreur}."
        ) from erreur
    return rangees


def _lire_xlsx(contenu: bytes):
    try:
        donnees = base_formats.XLSX().create_dataset(contenu)
    except Exception as erreur:  # openpyxl raises many kinds on a file that is not XLSX
        raise FichierIllisible(
            "Le classeur XLSX ne peut pas être lu : enregistrez-le de nouveau au format "
            "« Classeur Excel (.xlsx) »."
        ) from erreur
    return [(1, list(donnees.headers or []))] + [
        (rang, list(cellules)) for rang, cellules in enumerate(donnees, start=2)
    ]


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
    """The file as rows under the contract's column names (header checked: unknown, missing
    and duplicated columns are errors on line 1)."""
    extension = Path(fichier.nom).suffix.lower()
    if extension == ".csv":
        rangees = _lire_csv(fichier.contenu)
    elif extension == ".xlsx":
        rangees = _lire_xlsx(fichier.contenu)
    else:
        raise FichierIllisible("Format non pris en charge : un fichier .csv ou .xlsx est attendu.")
    rangees = [(rang, cellules) for rang, cellules in rangees if any(map(en_texte, cellules))]
    if not rangees or rangees[0][0] != 1:
        raise FichierIllisible(
            "La première ligne du fichier doit être l'en-tête (les noms des colonnes)."
        )
    entete = [en_texte(nom).lower() for nom in rangees[0][1]]
    erreurs, vues, retenues = [], set(), []
    for position, nom in enumerate(entete):
        if not nom:
            if any(
                en_texte(c)
                for _, cellules in rangees[1:]
                for c in cellules[position : position + 1]
            ):
                erreurs.append(Erreur(1, f"colonne {position + 1}", "colonne sans nom"))
        elif nom not in RANG:
            erreurs.append(Erreur(1, nom, "colonne inconnue"))
        elif nom in vues:
            erreurs.append(Erreur(1, nom, "colonne en double"))
        else:
            vues.add(nom)
            retenues.append(position)
    erreurs += [
        Erreur(1, colonne, "colonne obligatoire absente du fichier")
        for colonne in OBLIGATOIRES
        if colonne not in vues
    ]
    donnees = tablib.Dataset(headers=[entete[position] for position in retenues])
    lignes = []
    for rang, cellules in rangees[1:]:
        en_trop = [c for c in cellules[len(entete) :] if en_texte(c)]
        if en_trop:
            erreurs.append(
                Erreur(rang, f"colonne {len(entete) + 1}", "cellule hors des colonnes nommées "
                       "par l'en-tête (un séparateur en trop ?)")
            )  # fmt: skip
        cellules = list(cellules) + [None] * (len(entete) - len(cellules))
        donnees.append([cellules[position] for position in retenues])
        lignes.append(rang)
    return Tableau(donnees, lignes, sorted(erreurs, key=ordre))
