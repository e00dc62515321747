"""Prestataire isolation on every page and file of the execution, and in every list (issue
requirement: "prestataire isolation on every new page, action and file"): a prestataire's users
never see another prestataire's parcours, stages, modules or companies (a real 404, never a 403
that would confirm the record exists); a chargé d'insertion sees only the parcours assigned to
them; the DEL reads everything. The actions are in test_isolation_actions.py.

The stories run on the demo data, with KAOUMA's parcours at ALPHA entered, in a module, with a
plan d'action, a rendez-vous, an evaluation and a stage in preparation (its checks ticked), and
a second chargé d'insertion of ALPHA, alpha3, to whom nothing is assigned (tests/prestataires/
conftest.py)."""

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task

from prestataires.models import Parcours
from tests.bons_de_commande.conftest import texte_pdf

from .conftest import AUTRES_PRESTATAIRES

pytestmark = pytest.mark.django_db

# --- 1. Pages and files ------------------------------------------------------------------------

PAGES = ("parcours", "stage", "stage_add", "convention", "module", "entreprise")
TOUT_200 = dict.fromkeys(PAGES, 200)
TOUT_404 = dict.fromkeys(PAGES, 404)
ACCES_ATTENDUS = {
    "alpha1": TOUT_200,
    "alpha2": TOUT_200,
    # ALPHA's module and register are shared by its staff; KAOUMA's parcours is not alpha3's.
    "alpha3": {**TOUT_404, "module": 200, "entreprise": 200},
    "beta1": TOUT_404,
    "gamma1": TOUT_404,
    # The DEL reads the parcours, its stage and its convention, prepares no stage and does not
    # edit the prestataire's register.
    "gestionnaire1": {**TOUT_200, "stage_add": 403, "entreprise": 403},
    "conseiller1": {**TOUT_200, "stage_add": 403, "entreprise": 403},
}


def urls_des_pages(alpha):
    return {
        "parcours": reverse("parcours:detail", args=[alpha.parcours.pk]),
        "stage": reverse("parcours:stage", args=[alpha.stage.pk]),
        "stage_add": reverse("parcours:stage_add", args=[alpha.parcours.pk]),
        "convention": reverse("parcours:convention", args=[alpha.stage.pk]),
        "module": reverse("modules:detail", args=[alpha.module.pk]),
        "entreprise": reverse("entreprises:change", args=[alpha.entreprise.pk]),
    }


@pytest.mark.pdf
@pytest.mark.parametrize("username", ACCES_ATTENDUS)
def test_chaque_page_et_fichier_d_alpha_ne_s_ouvre_qu_a_qui_y_a_droit(
    client, demo, alpha, username
):
    """Another prestataire, and an ALPHA chargé the parcours is not assigned to, get a 404 on
    the parcours, its stage, the stage creation and the convention; ALPHA's module and company
    open to ALPHA's staff only; the DEL reads, and gets a 403 where it would write."""
    client.force_login(demo[username])
    reponses = {page: client.get(url) for page, url in urls_des_pages(alpha).items()}

    assert {page: r.status_code for page, r in reponses.items()} == ACCES_ATTENDUS[username]
    if reponses["parcours"].status_code == 200:
        assert "KAOUMA" in reponses["parcours"].content.decode()
        assert "Boulangerie du Quartier Latin" in reponses["stage"].content.decode()
        assert reponses["convention"]["Content-Type"] == "application/pdf"
        assert "KAOUMA" in texte_pdf(reponses["convention"].getvalue())
    if reponses["module"].status_code == 200:
        page_du_module = reponses["module"].content.decode()
        assert "Atelier techniques de recherche d" in page_du_module
        # A chargé d'insertion sees in the shared module only the people they follow.
        suit_kaouma = username != "alpha3"
        assert ("KAOUMA" in page_du_module) is suit_kaouma
        assert ("Atelier CV" in page_du_module) is suit_kaouma


# --- 2. Lists ----------------------------------------------------------------------------------


def noms_d_alpha():
    """Every ALPHA name a list could leak: its people in parcours, its module, its companies."""
    noms = {p.demandeur.nom for p in Parcours.objects.filter(prestataire__code="ALPHA")}
    return noms | {"KAOUMA", "Boulangerie", "Transports Calédoniens", "Atelier techniques"}


# Each list, with the filter or search it offers, and what BETA's own list shows BETA.
LISTES = {
    "parcours:index": ("?etat=en_cours", "SIMUTOGA"),
    "modules:index": ("?page=1", "Atelier Beta"),
    "entreprises:index": ("?q=a", "Menuiserie Beta"),
}


@pytest.mark.parametrize("username", AUTRES_PRESTATAIRES)
@pytest.mark.parametrize("liste", LISTES)
def test_les_listes_d_un_autre_prestataire_ne_montrent_rien_d_alpha(
    client, demo, alpha, beta, liste, username
):
    filtre, propre_a_beta = LISTES[liste]
    client.force_login(demo[username])
    for url in (reverse(liste), reverse(liste) + filtre):
        reponse = client.get(url)
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert [nom for nom in noms_d_alpha() if nom in page] == [], url
        assert (propre_a_beta in page) is (username == "beta1"), url


def test_la_liste_d_un_charge_ne_montre_que_les_parcours_qui_lui_sont_attribues(
    client, demo, alpha
):
    client.force_login(demo["alpha3"])
    for url in (reverse("parcours:index"), reverse("parcours:index") + "?etat=en_cours"):
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert "KAOUMA" not in reponse.content.decode()
        assert list(reponse.context["object_list"]) == []

    client.force_login(demo["alpha2"])
    assert list(client.get(reverse("parcours:index")).context["object_list"]) == [alpha.parcours]
    client.force_login(demo["alpha1"])
    assert alpha.parcours in client.get(reverse("parcours:index")).context["object_list"]


def test_un_charge_ne_compte_dans_un_module_partage_que_les_personnes_qu_il_suit(
    client, demo, alpha
):
    for username, nombre in (("alpha3", 0), ("alpha2", 1), ("alpha1", 1)):
        client.force_login(demo[username])
        modules = client.get(reverse("modules:index")).context["object_list"]
        assert {m.pk: m.nombre for m in modules}[alpha.module.pk] == nombre, username


# --- 3. Home page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "voit"),
    [("alpha1", True), ("alpha2", True), ("alpha3", False), ("beta1", False),
     ("gamma1", False)],
)  # fmt: skip
def test_les_taches_de_kaouma_ne_sont_a_l_accueil_que_de_ceux_qui_la_suivent(
    client, demo, alpha, username, voit
):
    taches_de_kaouma = Task.objects.filter(
        process=alpha.parcours.process, status__in=("NEW", "ASSIGNED", "STARTED")
    )
    assert taches_de_kaouma.exists()
    client.force_login(demo[username])
    reponse = client.get(reverse("accueil:index"))
    assert reponse.status_code == 200
    taches = [task for task, _ in reponse.context["taches"]]
    assert any(task in taches_de_kaouma for task in taches) is voit
    page = reponse.content.decode()
    assert (alpha.parcours.get_absolute_url() in page) is voit
    if not voit:
        assert "KAOUMA" not in page
