"""Users read French labels, never codes (issue 18, item 4), and a workbook's cells hold numbers
(item 10): the indicators' detail tables showed a "Code" column (`moins_26`, `bac_2`) on the
screen, in the PDF and in the workbook; the import's preview showed the decision as the file
states it (`validee`) and what a row changes by its keys; the CCTP table's sheets held their
values as text ('80,0 %')."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
import tablib
from django.template.loader import render_to_string

from documents import tableur
from procurement.models import Commune, Frein, NiveauFormation
from reporting.importation import Fichier, Rapport
from reporting.importation.controle import MISE_A_JOUR, LigneApercu
from reporting.indicateurs import calculer_indicateurs, classeur, tableaux_affiches
from reporting.views.importation import GABARIT_APERCU, en_json

pytestmark = pytest.mark.django_db

CODES = ("moins_26", "26_44", "bac_2", "mont_dore", "garde_enfants")


@pytest.fixture
def indicateurs():
    """The indicators of an empty period, with typologies and freins as the codes name them."""
    NiveauFormation.objects.get_or_create(code="bac_2", defaults={"libelle": "Bac+2"})
    Commune.objects.get_or_create(code="mont_dore", defaults={"libelle": "Mont-Dore"})
    Frein.objects.get_or_create(code="garde_enfants", defaults={"libelle": "Garde d'enfants"})
    valeurs = calculer_indicateurs(date(2026, 1, 1), date(2026, 12, 31))
    valeurs["typologie"].update(
        tranche_age={"moins_26": 3, "26_44": 1},
        niveau_formation={"bac_2": 4},
        commune={"mont_dore": 4},
    )
    valeurs["freins"] = {"garde_enfants": 2}
    valeurs["non_entrees"] = {"garde_enfants": 1}
    valeurs.update(prescriptions=5, entrees=4, taux_entree=0.8, satisfaction_moyenne=4.13)
    return valeurs


def test_les_tableaux_du_detail_nomment_chaque_code_par_son_libelle(indicateurs):
    tableaux = tableaux_affiches(indicateurs)
    assert all("Code" not in tableau.colonnes for tableau in tableaux)
    html = render_to_string("pdf/indicateurs_tableaux.html", {"tableaux": tableaux})
    for libelle in ("Moins de 26 ans", "26 à 44 ans", "Bac+2", "Mont-Dore", "Garde d'enfants"):
        assert libelle in html.replace("&#x27;", "'")
    assert not [code for code in CODES if code in html]


def test_le_classeur_des_indicateurs_ne_montre_les_codes_que_dans_ses_donnees_brutes(
    indicateurs,
):
    """The "Données" sheet is the long table of the `indicateurs` command (keys of
    docs/contrats.md §3), for calculations; every other sheet speaks French."""
    feuilles = openpyxl.load_workbook(BytesIO(classeur(indicateurs)))
    for feuille in feuilles.worksheets:
        if feuille.title == "Données":
            continue
        textes = [str(v) for rangee in feuille.iter_rows(values_only=True) for v in rangee]
        assert not [code for code in CODES if code in textes], feuille.title
    age = list(feuilles["Âge à la prescription"].iter_rows(values_only=True))
    assert age == [("Âge à la prescription", "Nombre"), ("Moins de 26 ans", 3), ("26 à 44 ans", 1)]


def test_le_tableau_cctp_du_classeur_tient_des_nombres_dans_leur_format(indicateurs):
    feuille = openpyxl.load_workbook(BytesIO(classeur(indicateurs)))["Tableau CCTP"]
    cellules = {rangee[0].value: rangee[1] for rangee in feuille.iter_rows(min_row=2)}
    assert cellules["Prescriptions de la période (personnes orientées)"].value == 5
    taux = cellules["Taux d'entrée"]
    assert (taux.value, taux.number_format) == (0.8, "0.0 %")
    satisfaction = cellules["Satisfaction moyenne (sur 5)"]
    assert (satisfaction.value, satisfaction.number_format) == (4.13, "0.00")
    assert cellules["Taux de progression"].value is None  # no denominator: an empty cell


def test_l_apercu_de_l_import_nomme_la_decision_et_les_changements_en_francais():
    ligne = LigneApercu(
        ligne=2, action=MISE_A_JOUR, reference="H-1", nom="WAIA", prenom="Léa", lot="1",
        session="S-2024-01", decision="validee", changements=("date_entree", "freins"),
        erreurs=(), avertissements=(),
    )  # fmt: skip
    rapport = en_json(Rapport(fichier=Fichier(nom="suivi.csv", contenu=b"..."), essai=True,
                              lignes=[ligne]))  # fmt: skip
    assert rapport["apercu"][0]["decision"] == "Validée"
    assert rapport["apercu"][0]["changements"] == ["date d'entrée", "freins"]
    html = render_to_string(GABARIT_APERCU, {"rapport": rapport}).replace("&#x27;", "'")
    assert "<td>Validée</td>" in html
    assert "validee" not in html and "date_entree" not in html


def test_un_classeur_tient_dates_et_mois_comme_des_dates_au_format_francais():
    tableau = tablib.Dataset(headers=["Jour", "Mois"], title="Dates")
    tableau.append([date(2026, 11, 24), tableur.Mois.de(date(2026, 10, 17))])
    feuille = openpyxl.load_workbook(BytesIO(tableur.xlsx(tableau)))["Dates"]
    jour, mois = feuille["A2"], feuille["B2"]
    assert (jour.value.date(), jour.number_format) == (date(2026, 11, 24), "DD/MM/YYYY")
    assert (mois.value.date(), mois.number_format) == (date(2026, 10, 1), "MM/YYYY")
    assert feuille["A1"].font.b and feuille.freeze_panes == "A2"
