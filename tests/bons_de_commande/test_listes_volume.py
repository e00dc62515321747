"""The lists of bons de commande and of commission sessions as they grow (issue 17): each row's
number of beneficiaries (of passages) is counted for the page's rows only, the paginator's
COUNT groups nothing, and the number of queries does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bons_de_commande.enums import EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.models import Parcours
from procurement.models import AttributionLot, SessionCommission
from tests.factories import bons_de_commande, parcours_de_la_ligne, sessions_commission
from tests.prestataires.test_listes import afficher, ecarts, mesurer

BONS, SEANCES = reverse("commandes:index"), reverse("seances:index")


def attribution(code: str) -> AttributionLot:
    return AttributionLot.objects.select_related("prestataire", "lot").get(
        prestataire__code=code, lot__numero=1
    )


def grandir(nombre: int):
    """`nombre` issued orders of ALPHA and of BETA with 3 people each (ALPHA's first followed
    by alpha2), and `nombre` sessions of each with 4 passages."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    for code in ("ALPHA", "BETA"):
        bons_de_commande(nombre, attribution=attribution(code), emis_par=gestionnaire, lignes=3)
        sessions_commission(
            nombre,
            prestataire=attribution(code).prestataire,
            lot=attribution(code).lot,
            cree_par=gestionnaire,
            passages=4,
        )


def test_listes_des_bons_et_des_seances_requetes_constantes(client, demo):
    """Both lists take the same queries with 15 or 30 more orders and sessions per
    prestataire (more than a page), for the DEL, a prestataire's direction and its chargé
    (the orders; the sessions are the DEL's)."""
    lecteurs = ("gestionnaire1", "alpha1", "alpha2")

    def mesurer_tout():
        return mesurer(client, demo, [BONS], lecteurs=lecteurs) | mesurer(
            client, demo, [SEANCES], lecteurs=("gestionnaire1", "conseiller1")
        )

    grandir(15)
    avant = mesurer_tout()
    grandir(15)
    apres = mesurer_tout()
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur les listes"
    assert apres["gestionnaire1", BONS].reponse.context["paginator"].count > 60


@pytest.mark.parametrize("url", [BONS, SEANCES])
def test_le_compte_de_la_page_ne_groupe_rien(client, demo, url):
    """The paginator counts the rows without the per-row count: no GROUP BY, no join on the
    lines (the passages); the rows' counts are computed in the page's own query."""
    grandir(2)
    client.force_login(demo["gestionnaire1"])
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    comptes = [q["sql"] for q in requetes.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(comptes) == 1, comptes
    assert "GROUP BY" not in comptes[0]
    assert "lignecommande" not in comptes[0] and "passagecommission" not in comptes[0]


def test_les_comptes_de_chaque_ligne(client, demo):
    """Each order shows its people ordered or withdrawing (not those taken off by avenant),
    each session its passages; a chargé d'insertion counts only the people he follows."""
    gestionnaire = demo["gestionnaire1"]
    (bon,) = bons_de_commande(1, attribution=attribution("ALPHA"), emis_par=gestionnaire, lignes=4)
    lignes = list(bon.lignes.select_related("prescription").order_by("pk"))
    LigneCommande.objects.filter(pk=lignes[0].pk).update(etat=EtatLigne.RETIREE)
    LigneCommande.objects.filter(pk=lignes[1].pk).update(etat=EtatLigne.DESISTEMENT)
    Parcours.objects.bulk_create(
        [parcours_de_la_ligne(lignes[1], charge=demo["alpha2"]), parcours_de_la_ligne(lignes[2])]
    )
    (session,) = sessions_commission(
        1, prestataire=bon.prestataire, lot=bon.lot, cree_par=gestionnaire, passages=5
    )
    (vide,) = sessions_commission(
        1, prestataire=bon.prestataire, lot=bon.lot, cree_par=gestionnaire
    )

    def compte(username, modele, objet, attribut):
        liste = modele.objects.filter(pk=objet.pk)
        if modele is BonDeCommande:
            return getattr(liste.pour_liste(demo[username]).get(), attribut)
        return getattr(liste.pour_liste().get(), attribut)

    assert compte("gestionnaire1", BonDeCommande, bon, "beneficiaires") == 3
    assert compte("alpha1", BonDeCommande, bon, "beneficiaires") == 3
    assert compte("alpha2", BonDeCommande, bon, "beneficiaires") == 1
    assert compte("gestionnaire1", SessionCommission, session, "nombre_passages") == 5
    assert compte("gestionnaire1", SessionCommission, vide, "nombre_passages") == 0

    client.force_login(demo["alpha2"])
    page = client.get(BONS).content.decode()
    ligne = page.split(f">{bon.numero}</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td>Lot 1</td><td>1</td>" in ligne


def test_page_d_un_bon_requetes_constantes_selon_ses_lignes(client, demo):
    """An order's page takes the same queries with 3 or 6 people (their parcours running),
    for the DEL and the prestataire's direction."""
    gestionnaire = demo["gestionnaire1"]
    mesures = []
    for nombre in (3, 6):
        (bon,) = bons_de_commande(
            1, attribution=attribution("ALPHA"), emis_par=gestionnaire, lignes=nombre
        )
        Parcours.objects.bulk_create(
            parcours_de_la_ligne(ligne) for ligne in bon.lignes.select_related("prescription")
        )
        mesure = mesurer(
            client, demo, [bon.get_absolute_url()], lecteurs=("gestionnaire1", "alpha1")
        )
        mesures.append({(user, "bon"): m for (user, _), m in mesure.items()})
    afficher(*mesures)
    assert ecarts(*mesures) == {}
