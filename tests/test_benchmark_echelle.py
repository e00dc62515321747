"""The scale benchmark (scripts/benchmark_echelle.py) at a tiny size: it builds both sizes in
the test database, fetches every page as its role and reports numbers, not errors."""

import sys
from pathlib import Path

import pytest
import time_machine

from prestataires.models import Parcours, Suspension
from procurement.models import Prestataire
from remunerations.models import EtatRemuneration
from reporting.models import BilanFinParcours

from .conftest import DEMO_SEMEE_LE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import benchmark_echelle as benchmark  # noqa: E402


@pytest.fixture
def a_la_date_de_la_demo():
    with time_machine.travel(DEMO_SEMEE_LE, tick=True):
        yield


def _est_un_nombre(valeur) -> bool:
    return isinstance(valeur, int | float) and valeur >= 0


def test_construit_les_deux_tailles_et_mesure_chaque_page(demo, a_la_date_de_la_demo, tmp_path):
    etats_de_la_demo = EtatRemuneration.objects.count()

    resultats = benchmark.executer(
        tmp_path,
        petit=40,
        grand=90,
        repetitions=1,
        budget=30,
        lignes_du_bon=6,
        lignes_import=30,
        lignes_memoire=20,
        processus_separe=False,
        pdf=False,
        journal=lambda message: None,
    )

    # Both sizes were built: 20 prestataires, the history up to each size, the bon's session.
    assert Prestataire.objects.count() == 20
    assert 40 <= resultats.petit.parcours < 90 <= resultats.grand.parcours
    assert resultats.grand.parcours == Parcours.objects.count()
    assert EtatRemuneration.objects.count() == etats_de_la_demo + resultats.petit.etats
    assert resultats.petit.suspensions + resultats.grand.suspensions == (
        Suspension.objects.filter(commentaire="Benchmark").count()
    )
    assert BilanFinParcours.objects.filter(transmis_le__isnull=True).exists()
    assert resultats.grand.import_lignes == 30
    assert resultats.grand.memoire_lignes and resultats.grand.memoire_lignes <= 20
    for chiffre in (resultats.grand.import_secondes, resultats.grand.reimport_secondes):
        assert _est_un_nombre(chiffre)

    # Every page answered 200 at both sizes, with numbers to compare.
    libelles = [page.libelle for page in resultats.pages]
    assert len(libelles) == len(set(libelles)) == 19
    assert "Un bon de commande (6 lignes)" in libelles
    for mesure in resultats.petites + resultats.grandes:
        assert mesure.statut == 200
        assert all(_est_un_nombre(v) for v in (mesure.ms, mesure.requetes, mesure.ko))
        assert mesure.repetitions == 1

    tableau = benchmark.tableau_des_pages(
        resultats.pages,
        resultats.petites,
        resultats.grandes,
        resultats.petit.parcours,
        resultats.grand.parcours,
    )
    lignes = tableau.splitlines()
    assert len(lignes) == 2 + len(resultats.pages)
    assert all(page.libelle in tableau for page in resultats.pages)
    assert "erreur" not in tableau
    chiffres = benchmark.tableau_des_chiffres(resultats.petit, resultats.grand, None)
    assert "import de 30 lignes" in chiffres and "réimport inchangé" in chiffres


def test_une_page_en_erreur_est_signalee_dans_le_tableau_pas_cachee():
    pages = [benchmark.Page("Synthèse", "finance1", "/remunerations/synthese/")] * 2
    petites = [benchmark.Mesure(200, 480.4, 17, 25.0, 7), benchmark.Mesure(200, 50, 5, 9.0, 7)]
    grandes = [benchmark.Mesure(500), benchmark.Mesure(200, 81_000, 5, 310.5, 2)]

    tableau = benchmark.tableau_des_pages(pages, petites, grandes, 1000, 100_000, repetitions=7)
    lignes = tableau.splitlines()

    assert lignes[0].startswith("| page | rôle | ms à 1\u202f000 | ms à 100\u202f000 | ratio |")
    assert lignes[2] == "| Synthèse | finance1 | 480 | **erreur 500** | – | 17 | – | – |"
    # A page too slow for its budget was fetched twice instead of 7 times: the table says so.
    assert lignes[3] == "| Synthèse | finance1 | 50 | 81\u202f000 (2×) | 1620.0× | 5 | 5 | 310 |"


def test_les_chiffres_de_l_import_et_des_pdf():
    petit = benchmark.Construction(parcours=1000, secondes=4.6, lignes_importees=1196)
    grand = benchmark.Construction(
        parcours=100_000,
        secondes=300,
        lignes_importees=120_000,
        import_lignes=10_000,
        import_secondes=20,
        reimport_secondes=5,
        memoire_lignes=100_000,
        memoire_pic_mo=380.2,
        memoire_secondes=200,
    )
    pdf = {
        "lignes_du_bon": 80,
        "page_vide_ms": 20,
        "bon_ms": 1260,
        "rapport_en_processus": 63,
        "processus_page_vide_ms": 1000,
        "processus_bon_ms": 3500,
        "rapport_processus": 3.5,
    }

    chiffres = benchmark.tableau_des_chiffres(petit, grand, pdf)

    assert "| import de 10\u202f000 lignes | 20.0 s (500 lignes/s) |" in chiffres
    assert "| réimport inchangé des 10\u202f000 lignes | 5.0 s (25% de l'import) |" in chiffres
    assert "pic de mémoire | 380 Mo (en 200 s) |" in chiffres
    assert "processus complet | 3500 ms (3.5× la page vide) |" in chiffres
