"""The CCTP indicators (docs/contrats.md §3) of the hand-worked cohort (cohorte_indicateurs.py):
every key, the period's boundaries, the lot and prestataire filters, the CCTP table and its
files; and the same cohort loaded through the import file of docs/contrats.md §2 gives the same
figures."""

import csv
import io
from datetime import date

from django.core.management import call_command

from procurement.models import Prescription
from reporting.importation import COLONNES
from reporting.indicateurs import (
    LIBELLES,
    calculer_indicateurs,
    lignes_du_tableau,
    pourcentage,
    synthese_des_sessions,
    tableau_a_plat,
    tableaux_affiches,
    tableaux_du_detail,
    taux,
)
from tests.reporting.cohorte_indicateurs import (
    ATTENDU,
    ATTENDU_BETA,
    ATTENDU_LOT_2,
    AU,
    COHORTE,
    DU,
)

# --- The hand-worked cohort ------------------------------------------------------------------


def test_indicateurs_de_la_cohorte_calcules_a_la_main(cohorte):
    """docs/contrats.md §3, every key, all lots and prestataires: the values worked out above."""
    assert calculer_indicateurs(DU, AU) == ATTENDU


def test_les_cles_sont_celles_du_contrat_dans_son_ordre(cohorte):
    resultat = calculer_indicateurs(DU, AU)
    assert list(resultat) == list(ATTENDU)
    assert list(resultat["typologie"]) == [
        "genre", "tranche_age", "niveau_formation", "commune", "conseiller"
    ]  # fmt: skip


def test_periode_inclusive_aux_deux_bouts(cohorte):
    """A prescription on `du` and one on `au` count, the days before and after do not; the
    same for entries."""
    veille, lendemain = date(2024, 12, 31), date(2025, 7, 1)
    # IND-00 and IND-12 were prescribed on 31/12/2024; IND-02 and IND-13 entered or were
    # prescribed on 01/07/2025.
    assert calculer_indicateurs(veille, veille)["prescriptions"] == 2
    assert calculer_indicateurs(DU, DU)["prescriptions"] == 1  # IND-01
    assert calculer_indicateurs(DU, DU)["entrees"] == 1  # IND-00
    assert calculer_indicateurs(AU, AU)["prescriptions"] == 1  # IND-02
    assert calculer_indicateurs(AU, AU)["entrees"] == 1  # IND-05
    assert calculer_indicateurs(lendemain, lendemain)["prescriptions"] == 1  # IND-13
    assert calculer_indicateurs(lendemain, lendemain)["entrees"] == 1  # IND-02


def test_filtre_lot_2(cohorte):
    assert calculer_indicateurs(DU, AU, lot=2) == ATTENDU_LOT_2


def test_filtre_prestataire_beta_sans_rien_d_alpha(cohorte):
    """BETA's indicators hold none of ALPHA's people or sessions (isolation)."""
    assert calculer_indicateurs(DU, AU, prestataire="BETA") == ATTENDU_BETA


def test_filtre_lot_et_prestataire(cohorte):
    """ALPHA on lot 1: IND-01, -02, -03, -07, -08, -09, -11 prescribed; IND-00, -01, -03
    entered (3 / 7 = 0.42857…); exits after 73, 180 and 244 days: (73 + 180) / 6 + 244 / 8 =
    218/3, × 48/1461 / 3 = 3488/4383 = 0.79580…"""
    resultat = calculer_indicateurs(DU, AU, lot=1, prestataire="ALPHA")
    assert resultat["prescriptions"] == 7
    assert resultat["entrees"] == 3
    assert resultat["taux_entree"] == 0.4286
    assert resultat["non_entrees"] == {"mobilite": 1, "sante": 1}
    assert resultat["taux_duree"] == 0.7958
    assert [s["session"] for s in resultat["sessions"]] == ["ALPHA-2025-01", "ALPHA-2025-02"]
    assert calculer_indicateurs(DU, AU, lot=2, prestataire="ALPHA")["prescriptions"] == 0


def test_periode_vide_taux_nuls(cohorte):
    """Nothing in the period: counts are 0, every rate has a zero denominator and is null."""
    resultat = calculer_indicateurs(date(2030, 1, 1), date(2030, 12, 31))
    assert resultat["prescriptions"] == resultat["entrees"] == 0
    assert all(resultat[cle] is None for cle in resultat if cle.startswith("taux_"))
    assert resultat["satisfaction_moyenne"] is None
    assert resultat["typologie"] == {
        "genre": {}, "tranche_age": {}, "niveau_formation": {}, "commune": {}, "conseiller": {}
    }  # fmt: skip
    assert resultat["non_entrees"] == resultat["freins"] == {}
    assert resultat["sessions"] == []


# --- The CCTP table and its files ----------------------------------------------------------


def test_tableau_du_cctp_en_francais(cohorte):
    lignes = dict(lignes_du_tableau(calculer_indicateurs(DU, AU)))
    assert lignes["Taux d'entrée"] == "54,6 %"  # 0.5455
    assert lignes[LIBELLES["taux_duree"]] == "72,4 %"
    assert lignes[LIBELLES["non_entrees"]] == "3"
    assert lignes[LIBELLES["satisfaction_moyenne"]] == "3,67"
    assert lignes[LIBELLES["placements"]] == "2"
    vide = dict(lignes_du_tableau(calculer_indicateurs(date(2030, 1, 1), date(2030, 1, 2))))
    assert vide["Taux d'entrée"] == vide[LIBELLES["satisfaction_moyenne"]] == "—"
    assert pourcentage(0.4545) == "45,5 %"


def test_tableaux_du_detail_nomment_les_codes(cohorte):
    tableaux = {t.feuille: t for t in tableaux_du_detail(calculer_indicateurs(DU, AU))}
    assert tableaux["Non-entrées"].lignes == [("Mobilité", 2), ("Santé", 1)]
    assert ("Nouméa", 4) in tableaux["Commune de résidence"].lignes
    assert ("Moins de 26 ans", 3) in tableaux["Âge à la prescription"].lignes
    assert tableaux["Sessions"].lignes_affichees()[0] == [
        ("ALPHA-2025-01", False), ("2", True), ("1", True), ("50,0 %", True)
    ]  # fmt: skip
    assert tableaux["Sessions"].lignes_du_classeur()[0] == ("ALPHA-2025-01", 2, 1, 0.5)


def _session(nom: str, entres: int, presents_fin: int) -> dict:
    return {
        "session": nom,
        "entres": entres,
        "presents_fin": presents_fin,
        "taux_integration": taux(presents_fin, entres),
    }


def test_les_sessions_resumees_par_taux_et_les_plus_nombreuses():
    """Twelve sessions: counted by band of integration rate (a band's lowest rate is in it),
    then the ten with the most people, ties by session; the two smallest are left out."""
    sessions = [
        _session("S01", 4, 4),  # 100 %
        _session("S02", 4, 3),  # 75 %: the band's floor
        _session("S03", 8, 7),
        _session("S04", 2, 1),  # 50 %
        _session("S05", 3, 2),
        _session("S06", 3, 1),  # 33 %
        _session("S07", 9, 0),
        _session("S08", 5, 5),
        _session("S09", 5, 4),
        _session("S10", 6, 6),
        _session("S11", 1, 1),
        _session("S12", 1, 0),
    ]
    tranches, plus_nombreuses = synthese_des_sessions({"sessions": sessions})

    assert tranches.lignes == [
        ("100 %", 4, 16, 16, 1.0),
        ("De 75 à moins de 100 %", 3, 17, 14, 0.8235),
        ("De 50 à moins de 75 %", 2, 5, 3, 0.6),
        ("Moins de 50 %", 3, 13, 1, 0.0769),
        ("Toutes les sessions", 12, 51, 34, 0.6667),
    ]
    assert plus_nombreuses.titre == (
        "Les 10 sessions les plus nombreuses, sur 12 (toutes dans le classeur XLSX des indicateurs)"
    )
    assert [ligne[0] for ligne in plus_nombreuses.lignes] == [
        "S07", "S03", "S10", "S08", "S09", "S01", "S02", "S05", "S06", "S04"
    ]  # fmt: skip
    assert plus_nombreuses.lignes[0] == ("S07", 9, 0, 0.0)


def test_peu_de_sessions_sont_toutes_montrees():
    tranches, toutes = synthese_des_sessions({"sessions": [_session("S1", 2, 1)]})
    assert toutes.titre == LIBELLES["sessions"]
    assert toutes.lignes == [("S1", 2, 1, 0.5)]
    assert tranches.lignes[-1] == ("Toutes les sessions", 1, 2, 1, 0.5)
    vides = synthese_des_sessions({"sessions": []})
    assert [tableau.lignes for tableau in vides] == [[], []]


def test_l_ecran_resume_les_sessions_le_classeur_les_garde_toutes(cohorte):
    indicateurs = calculer_indicateurs(DU, AU)
    affiches = [tableau.feuille for tableau in tableaux_affiches(indicateurs)]
    assert "Sessions" not in affiches
    assert affiches[-2:] == ["Sessions par taux", "Sessions les plus nombreuses"]
    detail = [tableau.feuille for tableau in tableaux_du_detail(indicateurs)]
    assert affiches[:-2] == detail[:-1] and detail[-1] == "Sessions"


def test_tableau_a_plat(cohorte):
    lignes = dict(tableau_a_plat(calculer_indicateurs(DU, AU)))
    assert lignes["non_entrees.mobilite"] == 2
    assert lignes["typologie.genre.F"] == 5
    assert lignes["sessions.BETA-2025-01.entres"] == 2
    assert lignes["sessions.BETA-2025-01.taux_integration"] == 0.5
    assert lignes["taux_entree"] == 0.5455


# --- The same cohort through the import file (docs/contrats.md §2) -----------------------------


def ecrire_fichier(chemin, lignes: list[dict]) -> None:
    with open(chemin, "w", encoding="utf-8", newline="") as fichier:
        ecrivain = csv.DictWriter(fichier, fieldnames=COLONNES, delimiter=";", restval="")
        ecrivain.writeheader()
        ecrivain.writerows(lignes)


def test_indicateurs_de_la_cohorte_importee(referentiel, tmp_path):
    """The issue's story: the history file imported, the indicators are the hand-worked
    ones."""
    fichier = tmp_path / "historique.csv"
    ecrire_fichier(fichier, COHORTE)
    call_command("import_parcours", str(fichier), stdout=io.StringIO())
    assert Prescription.objects.filter(importee=True).count() == len(COHORTE)
    assert calculer_indicateurs(DU, AU) == ATTENDU
    assert calculer_indicateurs(DU, AU, lot=2) == ATTENDU_LOT_2
    assert calculer_indicateurs(DU, AU, prestataire="BETA") == ATTENDU_BETA
