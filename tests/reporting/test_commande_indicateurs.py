"""The `indicateurs` command (docs/contrats.md §3): the JSON object on standard output, the same
indicators as a flat CSV, an XLSX workbook and a PDF, and French refusals of bad arguments."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from reporting.indicateurs import calculer_indicateurs
from tests.bons_de_commande.conftest import texte_pdf
from tests.reporting.cohorte_indicateurs import ATTENDU, AU, DU, creer_referentiel

PERIODE = ["--du", DU.isoformat(), "--au", AU.isoformat()]


def indicateurs(*arguments) -> str:
    sortie = io.StringIO()
    call_command("indicateurs", *arguments, stdout=sortie)
    return sortie.getvalue()


def test_json_egal_au_calcul(cohorte):
    """The command prints the object of calculer_indicateurs, the hand-worked values."""
    assert json.loads(indicateurs(*PERIODE, "--format", "json")) == ATTENDU
    assert json.loads(indicateurs(*PERIODE)) == ATTENDU  # JSON by default
    filtre = json.loads(indicateurs(*PERIODE, "--lot", "1", "--prestataire", "BETA"))
    assert filtre == calculer_indicateurs(DU, AU, lot=1, prestataire="BETA")
    assert filtre["taux_progression"] is None  # printed as null
    assert '"taux_progression": null' in indicateurs(*PERIODE, "--prestataire", "BETA")


def test_json_garde_les_accents_et_les_taux_a_quatre_decimales(cohorte):
    texte = indicateurs(*PERIODE)
    assert '"taux_entree": 0.5455' in texte
    assert '"taux_duree": 0.7236' in texte


def test_csv_a_plat(cohorte, tmp_path):
    """One row per value: nested objects flattened, null as an empty cell."""
    lignes = list(csv.reader(io.StringIO(indicateurs(*PERIODE, "--format", "csv"))))
    assert lignes[0] == ["indicateur", "valeur"]
    valeurs = dict(lignes[1:])
    assert valeurs["prescriptions"] == "11"
    assert valeurs["taux_entree"] == "0.5455"
    assert valeurs["non_entrees.mobilite"] == "2"
    assert valeurs["typologie.genre.F"] == "5"
    assert valeurs["typologie.tranche_age.moins_26"] == "3"
    assert valeurs["freins.mobilite"] == "3"
    assert valeurs["sessions.ALPHA-2025-01.entres"] == "2"
    assert valeurs["sessions.ALPHA-2025-01.presents_fin"] == "1"
    assert valeurs["sessions.ALPHA-2025-01.taux_integration"] == "0.5"
    beta = dict(list(csv.reader(io.StringIO(
        indicateurs(*PERIODE, "--prestataire", "BETA", "--format", "csv")
    )))[1:])  # fmt: skip
    assert beta["taux_progression"] == ""
    assert not [cle for cle in beta if "ALPHA" in cle]

    fichier = tmp_path / "indicateurs.csv"
    call_command("indicateurs", *PERIODE, "--format", "csv", "--sortie", str(fichier))
    assert fichier.read_text(encoding="utf-8").startswith("indicateur,valeur")


def test_xlsx_lisible(cohorte, tmp_path):
    """The CCTP table as read, the detail tables with their labels, the raw values."""
    fichier = tmp_path / "indicateurs.xlsx"
    call_command("indicateurs", *PERIODE, "--format", "xlsx", "--sortie", str(fichier))
    classeur = load_workbook(fichier)
    assert classeur.sheetnames == [
        "Tableau CCTP", "Non-entrées", "Genre", "Âge à la prescription", "Niveau de formation",
        "Commune de résidence", "Conseiller prescripteur", "Freins", "Sessions", "Données",
    ]  # fmt: skip
    cctp = {ligne[0]: ligne[1] for ligne in classeur["Tableau CCTP"].iter_rows(values_only=True)}
    assert cctp["Taux d'entrée"] == 0.5455  # shown "54,6 %" by its cell's format
    assert cctp["Taux de progression"] == 0.5
    sessions = list(classeur["Sessions"].iter_rows(values_only=True))
    assert sessions[0] == ("Session", "Entrés", "Présents à la fin", "Taux d'intégration")
    assert sessions[3] == ("BETA-2025-01", 2, 1, 0.5)
    assert ("Mobilité", 2) in list(classeur["Non-entrées"].iter_rows(values_only=True))
    donnees = dict(classeur["Données"].iter_rows(values_only=True))
    assert donnees["taux_entree"] == 0.5455
    assert donnees["typologie.conseiller.conseiller1"] == 7


@pytest.mark.pdf
def test_pdf_lisible(cohorte, tmp_path):
    fichier = tmp_path / "indicateurs.pdf"
    call_command("indicateurs", *PERIODE, "--lot", "1", "--format", "pdf", "--sortie",
                 str(fichier))  # fmt: skip
    texte = texte_pdf(fichier.read_bytes())
    for attendu in ("Indicateurs du CCTP", "du 01/01/2025 au 30/06/2025, lot 1",
                    "Taux d'entrée", "Taux de sortie dynamique", "Mobilité", "Santé",
                    "ALPHA-2025-01", "BETA-2025-01", "Nouméa"):  # fmt: skip
        assert attendu in texte, attendu
    assert "GAMMA-2025-01" not in texte  # lot 2


def test_binaire_sur_la_sortie_standard_sans_fichier(cohorte, capsysbinary):
    call_command("indicateurs", *PERIODE, "--format", "pdf")
    assert capsysbinary.readouterr().out.startswith(b"%PDF")
    call_command("indicateurs", *PERIODE, "--format", "xlsx")
    assert capsysbinary.readouterr().out.startswith(b"PK")  # a zip: the workbook


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--du", "2025-13-01", "--au", "2025-12-31"], "AAAA-MM-JJ, pas « 2025-13-01 »"),
        (["--du", "2025-01-01", "--au", "01/01/2026"], "AAAA-MM-JJ, pas « 01/01/2026 »"),
        (["--du", "20250101", "--au", "2025-12-31"], "Une date s'écrit AAAA-MM-JJ"),
        ([*PERIODE, "--lot", "3"], "--lot attend 1 ou 2, pas « 3 »"),
        ([*PERIODE, "--prestataire", "ZETA"], "Prestataire inconnu : ZETA"),
        ([*PERIODE, "--format", "docx"], "--format attend json, csv, xlsx ou pdf"),
        (["--du", "2025-07-01", "--au", "2025-06-30"],
         r"La période est inversée : --du \(01/07/2025\) est après --au \(30/06/2025\)"),
    ],
)  # fmt: skip
def test_arguments_refuses_en_francais(db, arguments, message):
    creer_referentiel()
    with pytest.raises(CommandError, match=message):
        indicateurs(*arguments)


def test_un_seul_jour(cohorte):
    """--du equal to --au is a one-day period, both ends included."""
    assert json.loads(indicateurs("--du", "2025-01-01", "--au", "2025-01-01"))["entrees"] == 1
