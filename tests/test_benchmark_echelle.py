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
    assert len(libelles) == len(set(libelles)) == 18
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
