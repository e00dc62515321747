"""Issue 17: a bilan annuel whose nominative recap has more people than
settings.TRAVAUX_LIGNES_IMMEDIATES has its PDF and workbook written by a background job
(travaux): the same file as one handed out at once, its user's only, and journaled when he
downloads it, as the immediate file is. The test settings run a job as soon as it is queued;
ALPHA's 2026 bilan names three people (tests/reporting/test_bilans_annuels.py)."""

import pytest
from django.urls import reverse

from reporting.models import JournalExport
from reporting.views.bilans_annuels import fichier_en_arriere_plan
from tests.fichiers_prepares import contenu, journal
from tests.prestataires.conftest import a
from tests.reporting.test_bilans_annuels import bilan_alpha_2026
from travaux.models import Etat, Travail
from travaux.taches import lancer

pytestmark = pytest.mark.django_db

FORMATS = ["pdf", "xlsx"]


@pytest.mark.parametrize("format_", FORMATS)
def test_le_fichier_d_un_gros_bilan_se_prepare_en_arriere_plan(
    client, demo_bilans, settings, format_
):
    bilan = bilan_alpha_2026(client, demo_bilans)
    alpha1 = demo_bilans["alpha1"]
    url = reverse("bilans_annuels:export", args=[bilan.pk, format_])
    client.force_login(alpha1)
    with a("2026-11-24"):
        immediat = client.get(url)
    assert immediat.status_code == 200 and not Travail.objects.exists()
    journal_immediat = journal()
    assert journal_immediat == [
        ("alpha1", "bilan_annuel", format_, f"{bilan_fichier(bilan)}.{format_}", {}, None)
    ]
    JournalExport.objects.all().delete()

    settings.TRAVAUX_LIGNES_IMMEDIATES = 2  # three people in the recap
    with a("2026-11-24"):
        reponse = client.get(url)
    travail = Travail.objects.get()
    assert reponse.status_code == 302 and reponse.url == travail.get_absolute_url()
    assert travail.etat == Etat.TERMINE, travail.message
    assert travail.par == alpha1 and travail.permission == "reporting.view_bilanannuel"
    assert travail.parametres == {"bilan": bilan.pk, "format": format_}
    assert travail.libelle == f"{bilan} ({format_.upper()})"
    # Prepared, not taken: nothing handed out yet.
    assert not JournalExport.objects.exists()

    fichier = reverse("travaux:fichier", args=[travail.pk])
    # Another user, of the same prestataire, another one or the DEL: 404, no journal line.
    for username in ("alpha2", "beta1", "gestionnaire1"):
        client.force_login(demo_bilans[username])
        assert client.get(fichier).status_code == 404, username
    assert not JournalExport.objects.exists()

    client.force_login(alpha1)
    telecharge = client.get(fichier)
    assert telecharge.status_code == 200
    assert telecharge["Content-Disposition"] == immediat["Content-Disposition"]
    assert telecharge["Content-Type"] == immediat["Content-Type"]
    assert contenu(telecharge) == contenu(immediat)
    assert journal() == journal_immediat


def bilan_fichier(bilan) -> str:
    return f"bilan-annuel-ALPHA-lot1-{bilan.du}-{bilan.au}"


def test_le_travail_garde_le_fichier_de_la_del_pour_la_del(client, demo_bilans, settings):
    """The DEL's file carries the prescription's motif, which a prestataire's file hides
    (least knowledge): the job writes it as its own user may have it."""
    bilan = bilan_alpha_2026(client, demo_bilans)
    url = reverse("bilans_annuels:export", args=[bilan.pk, "xlsx"])
    fichiers = {}
    for username in ("alpha1", "gestionnaire1"):
        client.force_login(demo_bilans[username])
        with a("2026-11-24"):
            fichiers[username, "immédiat"] = contenu(client.get(url))
    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    for username in ("alpha1", "gestionnaire1"):
        client.force_login(demo_bilans[username])
        with a("2026-11-24"):
            reponse = client.get(url)
        travail = Travail.objects.get(par=demo_bilans[username])
        assert reponse.url == travail.get_absolute_url()
        fichiers[username, "travail"] = contenu(
            client.get(reverse("travaux:fichier", args=[travail.pk]))
        )
    assert fichiers["alpha1", "travail"] == fichiers["alpha1", "immédiat"]
    assert fichiers["gestionnaire1", "travail"] == fichiers["gestionnaire1", "immédiat"]
    assert fichiers["alpha1", "travail"] != fichiers["gestionnaire1", "travail"]


def test_le_pdf_part_en_arriere_plan_a_un_dixieme_du_seuil(client, demo_bilans, settings):
    """Laying out the recap in a PDF costs far more than writing it in a workbook: the PDF
    goes to a job from a tenth of the threshold (three people here), the workbook stays
    immediate."""
    bilan = bilan_alpha_2026(client, demo_bilans)
    client.force_login(demo_bilans["alpha1"])
    settings.TRAVAUX_LIGNES_IMMEDIATES = 30
    with a("2026-11-24"):
        assert (
            client.get(reverse("bilans_annuels:export", args=[bilan.pk, "pdf"])).status_code == 200
        )
    assert not Travail.objects.exists()
    settings.TRAVAUX_LIGNES_IMMEDIATES = 29
    with a("2026-11-24"):
        assert (
            client.get(reverse("bilans_annuels:export", args=[bilan.pk, "xlsx"])).status_code == 200
        )
        assert not Travail.objects.exists()
        assert (
            client.get(reverse("bilans_annuels:export", args=[bilan.pk, "pdf"])).status_code == 302
        )
    assert Travail.objects.get().parametres["format"] == "pdf"


@pytest.mark.parametrize("username", ["beta1", "gamma1"])
def test_un_autre_prestataire_ne_lance_rien_sur_le_bilan_d_alpha(
    client, demo_bilans, settings, username
):
    bilan = bilan_alpha_2026(client, demo_bilans)
    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    client.force_login(demo_bilans[username])
    with a("2026-11-24"):
        for format_ in FORMATS:
            url = reverse("bilans_annuels:export", args=[bilan.pk, format_])
            assert client.get(url).status_code == 404
    assert not Travail.objects.exists() and not JournalExport.objects.exists()


def test_un_bilan_plus_visible_fait_echouer_le_travail(client, demo_bilans, settings):
    """A job that runs after its user lost sight of the bilan (here: it is gone) writes no
    file and says why."""
    bilan = bilan_alpha_2026(client, demo_bilans)
    parametres = {"bilan": bilan.pk + 1000, "format": "pdf"}
    with a("2026-11-24"):
        travail = lancer(
            demo_bilans["alpha1"],
            fichier_en_arriere_plan,
            "Bilan",
            parametres=parametres,
            permission="reporting.view_bilanannuel",
        )
    travail.refresh_from_db()
    assert travail.etat == Etat.ECHOUE and travail.resultat is None
    assert travail.message == "Ce bilan annuel n'existe plus ou ne vous est plus accessible."
