"""In the browser: every export a gestionnaire can take reaches him as a file that opens (the
four data sets in CSV and XLSX, the indicators, an état de rémunération), each one journaled
once (issue 18, item 1: the export form's POST used to be dropped by Turbo)."""

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader

from reporting.models import JournalExport

# Each data set, its first column, and whether the demo has rows in it (nobody has left a
# parcours yet on the demo's day).
DONNEES = {
    "Demandeurs d'emploi": ("nom", True),
    "Prescriptions": ("reference", True),
    "Parcours": ("reference", True),
    "Sorties": ("reference", False),
}
FORMATS = {"Tableur (XLSX)": ".xlsx", "CSV (UTF-8, séparateur « ; »)": ".csv"}


def lignes_du_fichier(nom: str, contenu: bytes) -> list[list]:
    if nom.endswith(".csv"):
        return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    if nom.endswith(".xlsx"):
        feuille = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True).active
        return [list(ligne) for ligne in feuille.iter_rows(values_only=True)]
    assert nom.endswith(".pdf"), nom
    return [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(contenu)).pages]


@pytest.mark.pdf
def test_every_export_is_downloaded_and_opens(navigateur):
    journal_avant = JournalExport.objects.count()
    navigateur.connecter("gestionnaire1")
    navigateur.lien("Exports")
    for donnees, (premiere_colonne, des_lignes) in DONNEES.items():
        for format_, extension in FORMATS.items():
            navigateur.choisir("Données", donnees)
            navigateur.choisir("Format", format_)
            nom, contenu = navigateur.telecharger("Télécharger", role="button")
            assert nom.endswith(extension), (donnees, nom)
            lignes = lignes_du_fichier(nom, contenu)
            assert lignes[0][0] == premiere_colonne, (donnees, format_, lignes[0])
            assert (len(lignes) > 1) == des_lignes, (donnees, format_)
    assert JournalExport.objects.count() == journal_avant + 8

    navigateur.lien("Indicateurs")
    for lien, extension in (("Télécharger (XLSX)", ".xlsx"), ("Télécharger (PDF)", ".pdf")):
        nom, contenu = navigateur.telecharger(lien)
        assert nom.endswith(extension), nom
        assert lignes_du_fichier(nom, contenu)

    navigateur.lien("Rémunération des stagiaires")
    navigateur.lien("Octobre 2026")
    for lien, extension in (("Exporter (XLSX)", ".xlsx"), ("Exporter (PDF)", ".pdf")):
        nom, contenu = navigateur.telecharger(lien)
        assert nom.endswith(extension), nom
        assert "OUNEMOA" in str(lignes_du_fichier(nom, contenu))
