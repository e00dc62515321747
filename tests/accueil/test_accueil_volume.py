"""The home page as tasks pile up (issue 17): the oldest waiting tasks first, how many wait in
all and a link to the paginated list of them, with the same number of SQL queries whatever
their number."""

from datetime import date

from django.urls import reverse

from accounts.models import User
from accueil.views import TACHES_PAR_PAGE, TACHES_SUR_L_ACCUEIL, taches_de
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from procurement.models import AttributionLot
from reporting.models import BilanFinParcours
from tests.factories import bons_de_commande, parcours_de_la_ligne, taches_en_attente
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import afficher, ecarts, mesurer
from workflows.flows import BilanFlow, SuiviParcoursFlow
from workflows.taches import noeud

ACCUEIL, TACHES = reverse("accueil:index"), reverse("accueil:taches")
LECTEURS = ("gestionnaire1", "alpha1", "alpha2", "beta1")
JOUR = "2026-12-02"
# A session ended then has its bilan due long after JOUR: not among the home's priorities.
LOINTAINE = date(2027, 6, 1)


def ajouter_des_taches(nombre: int, fin_session=date(2026, 10, 1)):
    """For ALPHA, `nombre` of each task its people and the DEL's managers do: bilans to write
    (ALPHA's direction) of sessions ended on `fin_session` and to examine (the gestionnaires),
    parcours to enter (followed by alpha2)."""
    attribution = AttributionLot.objects.select_related("prestataire", "lot").get(
        prestataire__code="ALPHA", lot__numero=1
    )
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    alpha2 = User.objects.get_by_natural_key("alpha2")
    bons = bons_de_commande(2 * nombre, attribution=attribution, emis_par=gestionnaire)
    bilans = BilanFinParcours.objects.bulk_create(
        BilanFinParcours.de_la_session(bon, fin_session) for bon in bons
    )
    taches_en_attente(bilans[:nombre], noeud(BilanFlow, "rediger"))
    taches_en_attente(bilans[nombre:], noeud(BilanFlow, "examiner"))
    (bon,) = bons_de_commande(1, attribution=attribution, emis_par=gestionnaire, lignes=nombre)
    parcours = Parcours.objects.bulk_create(
        parcours_de_la_ligne(ligne, etat=EtatParcours.ATTENTE_ENTREE, charge=alpha2)
        for ligne in bon.lignes.select_related("prescription")
    )
    taches_en_attente(parcours, noeud(SuiviParcoursFlow, "entrer"))


def test_accueil_et_liste_des_taches_requetes_constantes(client, demo):
    """The home page and the list of tasks take the same number of queries with 3 or 53 of
    each task more: each row's record (a bilan, a parcours...) comes in the tasks' query."""
    ajouter_des_taches(3)
    urls = [ACCUEIL, TACHES, f"{TACHES}?page=1"]
    avant = mesurer(client, demo, urls, lecteurs=LECTEURS)
    ajouter_des_taches(50)
    apres = mesurer(client, demo, urls, lecteurs=LECTEURS)
    # Those with tasks have a second page now (BETA's direction, none of ALPHA's).
    apres |= mesurer(client, demo, [f"{TACHES}?page=2"], lecteurs=LECTEURS[:3])
    afficher(avant, apres, {f"{TACHES}?page=2": TACHES})
    assert ecarts(avant, apres, {f"{TACHES}?page=2": TACHES}) == {}, "N+1 sur l'accueil"
    # The lists did grow, beyond one page.
    for username in ("gestionnaire1", "alpha1", "alpha2"):
        contexte = apres[username, ACCUEIL].reponse.context
        priorites = contexte["priorites"]
        toutes = contexte["total_taches"] + priorites.total_en_retard + priorites.total_bientot
        assert toutes > TACHES_PAR_PAGE


def test_l_accueil_montre_les_plus_anciennes_le_total_et_le_lien(client, demo):
    """ALPHA's direction has more tasks than the home page shows: what is late or due soon
    first (accueil/echeances.py), then the oldest of the others, the totals, and a link to
    every task page by page; BETA sees none of them."""
    ajouter_des_taches(30)
    ajouter_des_taches(30, fin_session=LOINTAINE)
    alpha1 = demo["alpha1"]
    toutes = list(taches_de(alpha1))
    assert len(toutes) > TACHES_SUR_L_ACCUEIL + 30

    client.force_login(alpha1)
    with a(JOUR):
        reponse = client.get(ACCUEIL)
        urgentes = reponse.context["priorites"].urgentes
        autres = list(taches_de(alpha1).exclude(urgentes))
    priorites = reponse.context["priorites"]
    # The 30 bilans to write and the 30 parcours to enter are late.
    assert priorites.total_en_retard >= 60
    assert len(priorites.en_retard) == TACHES_SUR_L_ACCUEIL
    montrees = [task.pk for task, _, _ in reponse.context["autres"]]
    assert montrees == [task.pk for task in autres[:TACHES_SUR_L_ACCUEIL]]
    assert reponse.context["total_taches"] == len(autres)
    assert len(autres) + priorites.total_en_retard + priorites.total_bientot == len(toutes)
    page = reponse.content.decode()
    assert f"Mes autres tâches ({len(autres)})" in page
    assert f"Les {TACHES_SUR_L_ACCUEIL} plus anciennes sur {len(autres)}." in page
    assert f"Les {TACHES_SUR_L_ACCUEIL} plus en retard sur {priorites.total_en_retard}." in page
    assert f'href="{TACHES}">Toutes mes tâches ({len(toutes)})</a>' in page
    # Each row names its record (a bilan its session) and leads to its page.
    premiere = priorites.en_retard[0]
    assert str(premiere.task.process.parcours) in page and premiere.lien in page
    bilan = BilanFinParcours.objects.get(process__task=montrees[-1])
    assert str(bilan) in page and bilan.get_absolute_url() in page

    reponse = client.get(TACHES, {"page": 2})
    assert [task.pk for task, _ in reponse.context["taches"]] == [
        task.pk for task in toutes[TACHES_PAR_PAGE : 2 * TACHES_PAR_PAGE]
    ]
    assert f"{len(toutes)} tâches en attente" in reponse.content.decode()

    client.force_login(demo["beta1"])
    reponse = client.get(ACCUEIL)
    assert "VOL-" not in reponse.content.decode()
    assert "Toutes mes tâches" not in reponse.content.decode()


def test_peu_de_taches_sans_lien_vers_la_liste(client, demo):
    """With fewer tasks than the home page holds, no link to the list: all are shown."""
    alpha1 = demo["alpha1"]
    client.force_login(alpha1)
    reponse = client.get(ACCUEIL)
    priorites = reponse.context["priorites"]
    assert reponse.context["total_taches"] == len(reponse.context["autres"])
    assert (
        reponse.context["total_taches"] + priorites.total_en_retard + priorites.total_bientot
        == taches_de(alpha1).count()
    )
    assert "Toutes mes tâches" not in reponse.content.decode()


def test_au_dela_du_plafond_le_compte_le_dit(client, demo, monkeypatch):
    """The home page counts up to a ceiling (a large prestataire has one task per running
    parcours): beyond it, it says "plus de" the ceiling; the full list counts them all."""
    monkeypatch.setattr("accueil.views.PLAFOND_DU_COMPTE", 25)
    ajouter_des_taches(30, fin_session=LOINTAINE)
    alpha1 = demo["alpha1"]
    client.force_login(alpha1)
    with a(JOUR):
        reponse = client.get(ACCUEIL)
    page = reponse.content.decode()
    priorites = reponse.context["priorites"]
    urgentes = priorites.total_en_retard + priorites.total_bientot
    assert "Mes autres tâches (plus de 25)" in page
    assert f'href="{TACHES}">Toutes mes tâches (plus de {25 + urgentes})</a>' in page
    assert len(reponse.context["autres"]) == TACHES_SUR_L_ACCUEIL
    total = taches_de(alpha1).count()
    assert f"{total} tâches en attente" in client.get(TACHES).content.decode()
