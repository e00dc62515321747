"""Issue 17: an export, or the indicators' file, of more rows than
settings.TRAVAUX_LIGNES_IMMEDIATES is prepared by a background job (travaux); its file is its
user's only, and a nominative export is written in the journal when its user downloads it.
The test settings run a job as soon as it is queued (tests/travaux/ follows the real queue);
the threshold is set below any count here so that every file goes through a job."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from reporting.models import JournalExport
from tests.prestataires.conftest import a
from tests.reporting.test_exports import exporter, lire_csv
from travaux.models import Etat, Travail

pytestmark = pytest.mark.django_db


@pytest.fixture
def tout_en_arriere_plan(settings):
    settings.TRAVAUX_LIGNES_IMMEDIATES = -1


def test_un_export_volumineux_se_prepare_en_arriere_plan_et_se_journalise_au_telechargement(
    client, demo_bilans, settings
):
    alpha1 = demo_bilans["alpha1"]
    with a("2026-11-24"):
        immediat = lire_csv(exporter(client, alpha1, objet="parcours", lot="1"))
    JournalExport.objects.all().delete()

    settings.TRAVAUX_LIGNES_IMMEDIATES = -1
    with a("2026-11-24"):
        reponse = exporter(client, alpha1, objet="parcours", lot="1")
    travail = Travail.objects.get()
    assert reponse.status_code == 302 and reponse.url == travail.get_absolute_url()
    assert travail.etat == Etat.TERMINE and travail.libelle == "Export : parcours"
    assert travail.parametres == {"objet": "parcours", "format": "csv", "lot": "1"}
    # Prepared, not taken: nothing handed out yet, nothing in the journal.
    assert not JournalExport.objects.exists()
    page = client.get(travail.get_absolute_url()).content.decode()
    fichier = reverse("travaux:fichier", args=[travail.pk])
    assert f'href="{fichier}"' in page and "parcours-2026-11-24.csv" in page

    # Another user, even of the same prestataire or of the DEL: 404, and no journal line.
    for username in ("alpha2", "beta1", "gestionnaire1"):
        client.force_login(demo_bilans[username])
        assert client.get(fichier).status_code == 404
    assert not JournalExport.objects.exists()

    client.force_login(alpha1)
    with a("2026-11-25"):
        telecharge = client.get(fichier)
    assert telecharge["Content-Disposition"] == 'attachment; filename="parcours-2026-11-24.csv"'
    assert lire_csv(telecharge).dict == immediat.dict
    (entree,) = JournalExport.objects.all()
    assert (entree.utilisateur, entree.objet, entree.format, entree.document) == (
        alpha1,
        "parcours",
        "csv",
        "parcours-2026-11-24.csv",
    )
    assert entree.filtres == {"lot": 1} and entree.lignes == len(immediat)
    # Each download is a line: the journal says who took the data, each time.
    client.get(fichier)
    assert JournalExport.objects.count() == 2


def test_un_export_sous_le_seuil_reste_immediat(client, demo_bilans):
    reponse = exporter(client, demo_bilans["gestionnaire1"], objet="demandeurs")
    assert reponse.status_code == 200 and not Travail.objects.exists()
    page = client.get(reverse("exports:index")).content.decode()
    assert "Un export de plus de 2\u00a0000 lignes se prépare en arrière-plan" in page
    assert JournalExport.objects.count() == 1


def test_un_export_aux_filtres_invalides_ne_lance_rien(client, demo_bilans, tout_en_arriere_plan):
    reponse = exporter(client, demo_bilans["gestionnaire1"], objet="parcours", du="hier")
    assert reponse.status_code == 400 and not Travail.objects.exists()


@pytest.mark.parametrize("format_", ["xlsx", "pdf"])
def test_les_indicateurs_volumineux_se_preparent_en_arriere_plan(
    client, demo_bilans, tout_en_arriere_plan, format_
):
    """A prestataire's user gets his own organisation's figures (the filter forced by the
    page is the job's), as a file only he downloads; figures name nobody: no journal line."""
    alpha1 = demo_bilans["alpha1"]
    client.force_login(alpha1)
    with a("2026-11-24"):
        reponse = client.get(
            reverse("indicateurs:export", args=[format_]),
            {"du": "2026-01-01", "au": "2026-12-31", "prestataire": "BETA"},
        )
    travail = Travail.objects.get()
    assert reponse.url == travail.get_absolute_url() and travail.etat == Etat.TERMINE
    assert travail.parametres["prestataire"] == "ALPHA"
    assert travail.resultat_nom == (f"indicateurs-2026-01-01-2026-12-31-tous-lots-ALPHA.{format_}")
    fichier = client.get(reverse("travaux:fichier", args=[travail.pk]))
    assert fichier.status_code == 200
    contenu = b"".join(fichier.streaming_content) if fichier.streaming else fichier.content
    if format_ == "xlsx":
        assert "Tableau CCTP" in openpyxl.load_workbook(BytesIO(contenu)).sheetnames
    else:
        assert contenu.startswith(b"%PDF-")  # laid out by tests/conftest.py's stand-in
        assert fichier["Content-Type"] == "application/pdf"
    assert not JournalExport.objects.exists()
    client.force_login(demo_bilans["beta1"])
    assert client.get(reverse("travaux:fichier", args=[travail.pk])).status_code == 404
