"""A chargé d'insertion sees and acts only on the people he follows (issue 16, finding 4):
on an order that also holds other people he sees his lines only, never its PDF nor an avenant
of someone else, and every action on another's line is a 404 that changes nothing. The
acknowledgement of an order, which commits the structure to every person on it, is its
direction's.

Given ALPHA's order for DUPONT and HMAE, acknowledged by alpha1, DUPONT followed by alpha2 and
HMAE by alpha3."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import Avenant, BonDeCommande, LigneCommande
from prestataires import services as parcours_services
from prestataires.models import Parcours
from procurement.models import Prestataire
from tests.factories import UserFactory
from tests.isolation import connecte, envoyer, etat_des_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def bon_partage(demo, bon_emis):
    commandes.accuser(bon_emis, par=demo["alpha1"])
    demo["alpha3"] = UserFactory(
        username="alpha3",
        prestataire=Prestataire.objects.get(code="ALPHA"),
        role=Role.PRESTATAIRE_CHARGE,
    )
    for nom, username in (("DUPONT", "alpha2"), ("HMAE", "alpha3")):
        parcours_services.attribuer(
            Parcours.objects.get(demandeur__nom=nom), par=demo["alpha1"], charge=demo[username]
        )
    return bon_emis


def ligne_de(bon, nom):
    return bon.lignes.get(prescription__demandeur__nom=nom)


def test_sur_un_bon_partage_un_charge_ne_voit_que_les_personnes_qu_il_suit(demo, bon_partage):
    url_pdf = reverse("commandes:pdf", args=[bon_partage.pk])
    for username, voit in (("alpha2", {"DUPONT"}), ("alpha3", {"HMAE"}),
                           ("alpha1", {"DUPONT", "HMAE"})):  # fmt: skip
        reponse = connecte(demo[username]).get(bon_partage.get_absolute_url())
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert {nom for nom in ("DUPONT", "HMAE") if nom in page} == voit, username
        assert reponse.context["beneficiaires"] == len(voit)
        # The issued PDF names everyone: only the direction is offered it.
        assert (url_pdf in page) is (username == "alpha1"), username


def test_le_pdf_d_un_bon_et_d_un_avenant_n_est_pas_pour_un_charge(demo, bon_partage):
    avenant = commandes.desister(ligne_de(bon_partage, "HMAE"), par=demo["alpha1"], motif="CDD")
    commandes.emettre_avenant(avenant, par=demo["gestionnaire1"])
    for nom_url, pk in (("commandes:pdf", bon_partage.pk), ("commandes:avenant_pdf", avenant.pk)):
        url = reverse(nom_url, args=[pk])
        statuts = {
            u: connecte(demo[u]).get(url).status_code for u in ("alpha1", "alpha2", "alpha3")
        }
        assert statuts == {"alpha1": 200, "alpha2": 404, "alpha3": 404}, url


def test_un_avenant_ne_montre_a_un_charge_que_les_personnes_qu_il_suit(demo, bon_partage):
    avenant = commandes.desister(ligne_de(bon_partage, "HMAE"), par=demo["alpha1"], motif="CDD")
    commandes.emettre_avenant(avenant, par=demo["gestionnaire1"])
    for username, voit in (("alpha2", []), ("alpha3", [avenant]), ("alpha1", [avenant])):
        reponse = connecte(demo[username]).get(bon_partage.get_absolute_url())
        assert reponse.context["avenants"] == voit, username
        assert ("HMAE" in reponse.content.decode()) is bool(voit), username


def test_un_charge_ne_desiste_pas_une_personne_qu_il_ne_suit_pas(demo, bon_partage):
    url = bon_partage.get_absolute_url()
    avant = etat_des_tables(LigneCommande, Avenant)
    hmae = ligne_de(bon_partage, "HMAE")
    reponse, _, succes = envoyer(
        connecte(demo["alpha2"]),
        url,
        {"action": "desister", "ligne": hmae.pk, f"desister-{hmae.pk}-motif": "Déménagé"},
    )
    assert (reponse.status_code, succes) == (404, [])
    assert etat_des_tables(LigneCommande, Avenant) == avant

    # Control: the same POST on the line of the person he follows is recorded.
    dupont = ligne_de(bon_partage, "DUPONT")
    _, erreurs, succes = envoyer(
        connecte(demo["alpha2"]),
        url,
        {"action": "desister", "ligne": dupont.pk, f"desister-{dupont.pk}-motif": "Déménagé"},
    )
    assert erreurs == [] and len(succes) == 1
    assert LigneCommande.objects.get(pk=dupont.pk).etat == EtatLigne.DESISTEMENT


def test_un_charge_ne_propose_pas_de_candidat_a_la_place_d_une_personne_qu_il_ne_suit_pas(
    demo, bon_partage
):
    hmae = commandes.desister(ligne_de(bon_partage, "HMAE"), par=demo["alpha1"], motif="CDD")
    hmae = ligne_de(bon_partage, "HMAE")
    donnees = {"action": "candidat", "ligne": hmae.pk, f"candidat-{hmae.pk}-texte": "M. Wakié"}
    reponse, _, succes = envoyer(connecte(demo["alpha2"]), bon_partage.get_absolute_url(), donnees)
    assert (reponse.status_code, succes) == (404, [])
    assert LigneCommande.objects.get(pk=hmae.pk).proposition_prestataire == ""


def test_un_charge_ne_voit_que_les_bons_des_personnes_qu_il_suit(demo, bon_partage):
    ete = BonDeCommande.objects.get(lignes__prescription__demandeur__nom="WAIA")
    kaouma = BonDeCommande.objects.get(lignes__prescription__demandeur__nom="KAOUMA")
    attendus = {
        "alpha2": {bon_partage: 1, kaouma: 1},
        "alpha3": {bon_partage: 1},
        "alpha1": {bon_partage: 2, kaouma: 1, ete: 3},  # TEANYOUEN withdrawn
    }
    for username, bons in attendus.items():
        client = connecte(demo[username])
        liste = client.get(reverse("commandes:index")).context["object_list"]
        assert {bon: bon.beneficiaires for bon in liste} == bons, username
        # The summer order holds no one a chargé follows: as if it did not exist.
        assert client.get(ete.get_absolute_url()).status_code == (200 if ete in bons else 404)


def test_l_accuse_de_reception_revient_a_la_direction(demo, bon_emis):
    """An order not yet acknowledged has no parcours, so no chargé: he does not see it, and
    only the direction acknowledges it (for every person on it)."""
    url = bon_emis.get_absolute_url()
    reponse, _, succes = envoyer(connecte(demo["alpha2"]), url, {"action": "accuser"})
    assert (reponse.status_code, succes) == (404, [])
    assert BonDeCommande.objects.get(pk=bon_emis.pk).etat == EtatBonDeCommande.EMIS

    _, erreurs, succes = envoyer(connecte(demo["alpha1"]), url, {"action": "accuser"})
    assert erreurs == [] and len(succes) == 1
    assert BonDeCommande.objects.get(pk=bon_emis.pk).etat == EtatBonDeCommande.ACCUSE


def test_les_accuses_de_reception_ne_sont_pas_dans_l_accueil_d_un_charge(demo, bon_emis):
    """The demo's avenant (TEANYOUEN's withdrawal) and the order just issued wait for ALPHA's
    acknowledgement: on its direction's home page, not on its chargé's."""
    for username, voit in (("alpha1", True), ("alpha2", False)):
        page = connecte(demo[username]).get(reverse("accueil:index")).content.decode()
        assert (bon_emis.get_absolute_url() in page) is voit, username
        assert ("TEANYOUEN" in page or Avenant.objects.get().numero in page) is voit, username
