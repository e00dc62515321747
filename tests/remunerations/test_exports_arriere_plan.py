"""Issue 17: a stipends' file (one état, one month, one year) of more stored lines than
settings.TRAVAUX_LIGNES_IMMEDIATES is written by a background job (travaux): the same file as
one handed out at once, its user's only (a prestataire's direction's file holds its own
stagiaires), journaled when he downloads it as the immediate file is. The test settings run a
job as soon as it is queued. The stories: ALPHA's October état and BETA's
(tests/remunerations/conftest.py), read on 24/11/2026."""

from datetime import date

import pytest
from django.urls import reverse

from procurement.models import Prestataire
from remunerations import calcul
from remunerations.models import EtatRemuneration, LigneRemuneration
from remunerations.views import fichier_en_arriere_plan
from reporting.models import JournalExport
from tests.fichiers_prepares import contenu, journal
from tests.isolation import connecte
from travaux.models import Etat, Travail
from travaux.taches import lancer

from .conftest import JOUR, a

pytestmark = pytest.mark.django_db

FORMATS = ["pdf", "xlsx"]


def urls(etat, format_) -> dict[str, str]:
    return {
        "etat": reverse("remunerations:export", args=[etat.pk, format_]),
        "mois": reverse("remunerations:export_mois", args=["2026-10", format_]),
        "annee": reverse("remunerations:export_annee", args=[2026, format_]),
    }


PARAMETRES = {
    "etat": lambda etat: {"fichier": "etat", "etat": etat.pk},
    "mois": lambda etat: {"fichier": "mois", "mois": "2026-10"},
    "annee": lambda etat: {"fichier": "annee", "annee": 2026},
}


@pytest.mark.parametrize("format_", FORMATS)
@pytest.mark.parametrize("fichier", ["etat", "mois", "annee"])
def test_un_gros_fichier_de_remuneration_se_prepare_en_arriere_plan(
    demo, alpha, beta, settings, fichier, format_
):
    alpha1 = demo["alpha1"]
    client = connecte(alpha1)
    url = urls(alpha.etat, format_)[fichier]
    with a(JOUR, heure=10):
        immediat = client.get(url)
    assert immediat.status_code == 200 and not Travail.objects.exists()
    journal_immediat = journal()
    assert [entree[:3] for entree in journal_immediat] == [("alpha1", "etat_remuneration", format_)]
    JournalExport.objects.all().delete()

    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    with a(JOUR, heure=10):
        reponse = client.get(url)
    travail = Travail.objects.get()
    assert reponse.status_code == 302 and reponse.url == travail.get_absolute_url()
    assert travail.etat == Etat.TERMINE, travail.message
    assert travail.permission == "remunerations.view_etatremuneration"
    assert travail.parametres == {**PARAMETRES[fichier](alpha.etat), "format": format_}
    # Prepared, not taken: nothing handed out yet.
    assert not JournalExport.objects.exists()

    telechargement = reverse("travaux:fichier", args=[travail.pk])
    # Another user, of the same prestataire, of another or of the DEL: 404, no journal line.
    for username in ("alpha2", "beta1", "finance1"):
        assert connecte(demo[username]).get(telechargement).status_code == 404, username
    assert not JournalExport.objects.exists()

    telecharge = client.get(telechargement)
    assert telecharge.status_code == 200
    assert telecharge["Content-Disposition"] == immediat["Content-Disposition"]
    assert telecharge["Content-Type"] == immediat["Content-Type"]
    assert contenu(telecharge) == contenu(immediat)
    assert journal() == journal_immediat


@pytest.mark.parametrize("fichier", ["mois", "annee"])
def test_le_travail_ecrit_le_fichier_des_prestataires_que_son_utilisateur_voit(
    demo, alpha, beta, settings, fichier
):
    """The month's and year's files of ALPHA's direction hold ALPHA only, finance's every
    prestataire: the job writes the file its own user may have, as the page does."""
    fichiers = {}
    for username in ("alpha1", "finance1"):
        with a(JOUR, heure=10):
            fichiers[username, "immédiat"] = contenu(
                connecte(demo[username]).get(urls(alpha.etat, "xlsx")[fichier])
            )
    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    for username in ("alpha1", "finance1"):
        client = connecte(demo[username])
        with a(JOUR, heure=10):
            client.get(urls(alpha.etat, "xlsx")[fichier])
        travail = Travail.objects.get(par=demo[username])
        fichiers[username, "travail"] = contenu(
            client.get(reverse("travaux:fichier", args=[travail.pk]))
        )
    assert fichiers["alpha1", "travail"] == fichiers["alpha1", "immédiat"]
    assert fichiers["finance1", "travail"] == fichiers["finance1", "immédiat"]
    assert fichiers["alpha1", "travail"] != fichiers["finance1", "travail"]


def test_le_seuil_compte_les_lignes_stockees_de_ce_que_l_utilisateur_voit(
    demo, alpha, beta, settings
):
    """At the threshold, the file is immediate; one line over, a job. GAMMA's direction, which
    has no line in October, gets its (empty) file at once whatever the threshold."""
    lignes = LigneRemuneration.objects.filter(etat=alpha.etat).count()
    assert lignes >= 3
    client = connecte(demo["alpha1"])
    url = urls(alpha.etat, "xlsx")["etat"]
    settings.TRAVAUX_LIGNES_IMMEDIATES = lignes
    with a(JOUR, heure=10):
        assert client.get(url).status_code == 200
    assert not Travail.objects.exists()
    settings.TRAVAUX_LIGNES_IMMEDIATES = lignes - 1
    with a(JOUR, heure=10):
        assert client.get(url).status_code == 302
    assert Travail.objects.count() == 1

    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    with a(JOUR, heure=10):
        reponse = connecte(demo["gamma1"]).get(urls(alpha.etat, "xlsx")["mois"])
    assert reponse.status_code == 200 and Travail.objects.count() == 1


def test_un_mois_pas_encore_ouvert_compte_les_lignes_qu_il_aura(demo, alpha, settings):
    """ALPHA's November is not opened yet: its file is computed when written, and counts its
    stagiaires of the month against the threshold, as an opened month counts its stored lines;
    its job writes the same file."""
    novembre = date(2026, 11, 1)
    assert not EtatRemuneration.objects.filter(prestataire__code="ALPHA", mois=novembre).exists()
    with a(JOUR, heure=10):
        (releve,) = calcul.releves([(Prestataire.objects.get(code="ALPHA"), novembre)])
    lignes = len(releve.lignes)
    assert lignes >= 3
    client = connecte(demo["alpha1"])
    url = reverse("remunerations:export_mois", args=["2026-11", "xlsx"])
    settings.TRAVAUX_LIGNES_IMMEDIATES = lignes
    with a(JOUR, heure=10):
        immediat = client.get(url)
    assert immediat.status_code == 200 and not Travail.objects.exists()
    settings.TRAVAUX_LIGNES_IMMEDIATES = lignes - 1
    with a(JOUR, heure=10):
        assert client.get(url).status_code == 302
    travail = Travail.objects.get()
    telecharge = client.get(reverse("travaux:fichier", args=[travail.pk]))
    assert contenu(telecharge) == contenu(immediat)


def test_un_pdf_part_en_arriere_plan_a_un_dixieme_du_seuil(demo, alpha, settings):
    """Laying out a PDF line costs far more than writing it in a workbook: the PDF goes to a
    job from a tenth of the threshold, the workbook of the same lines stays immediate."""
    lignes = LigneRemuneration.objects.filter(etat=alpha.etat).count()
    client = connecte(demo["alpha1"])
    settings.TRAVAUX_LIGNES_IMMEDIATES = 10 * lignes
    with a(JOUR, heure=10):
        assert client.get(urls(alpha.etat, "pdf")["etat"]).status_code == 200
    assert not Travail.objects.exists()
    settings.TRAVAUX_LIGNES_IMMEDIATES = 10 * lignes - 1
    with a(JOUR, heure=10):
        assert client.get(urls(alpha.etat, "xlsx")["etat"]).status_code == 200
        assert not Travail.objects.exists()
        assert client.get(urls(alpha.etat, "pdf")["etat"]).status_code == 302
    assert Travail.objects.get().parametres["format"] == "pdf"


@pytest.mark.parametrize("username", ["beta1", "gamma1"])
def test_un_autre_prestataire_ne_lance_rien_sur_l_etat_d_alpha(demo, alpha, settings, username):
    settings.TRAVAUX_LIGNES_IMMEDIATES = 0
    client = connecte(demo[username])
    with a(JOUR, heure=10):
        for format_ in FORMATS:
            assert client.get(urls(alpha.etat, format_)["etat"]).status_code == 404
    assert not Travail.objects.exists() and not JournalExport.objects.exists()


def test_un_etat_hors_de_vue_fait_echouer_le_travail(demo, alpha):
    """A job that runs for a user who does not see the état (here: BETA's direction asking for
    ALPHA's) writes no file and says why."""
    with a(JOUR, heure=10):
        travail = lancer(
            demo["beta1"],
            fichier_en_arriere_plan,
            "État",
            parametres={"fichier": "etat", "etat": alpha.etat.pk, "format": "pdf"},
            permission="remunerations.view_etatremuneration",
        )
    travail.refresh_from_db()
    assert travail.etat == Etat.ECHOUE and travail.resultat is None
    assert travail.message == (
        "Cet état de rémunération n'existe plus ou ne vous est plus accessible."
    )
