"""Issuing is irreversible (issue 18, item 3): a numbered order or avenant is sent to the
prestataire and never edited again, so the page asks once, saying what will happen, and only
the confirmed POST issues it. A draft order counts the people it lists."""

from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande
from bons_de_commande.models import CompteurAnnuel
from procurement import services

from .conftest import valider

pytestmark = pytest.mark.django_db


@pytest.fixture
def brouillon(demo, seance):
    """ALPHA's draft order for DUPONT (7 months) and HMAE (12 months)."""
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 12)
    return services.cloturer_seance(seance, par=demo["commission1"])


def connecte(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def compteurs():
    return list(CompteurAnnuel.objects.values_list("annee", "dernier"))


def test_emettre_demande_une_confirmation_puis_emet(demo, brouillon):
    client = connecte(demo["gestionnaire1"])
    avant = compteurs()
    reponse = client.post(brouillon.get_absolute_url(), {"action": "emettre"})
    page = unescape(reponse.content.decode())
    assert reponse.status_code == 400
    assert (
        "Vous allez émettre ce bon de commande : il recevra le numéro définitif (BC-2026-…, le "
        "suivant de l'année) et sera envoyé au prestataire Alpha Insertion SARL (ALPHA), pour 2 "
        "bénéficiaire(s). Il ne pourra plus être modifié ni annulé : tout changement passera "
        "par un avenant." in page
    )
    assert '<input type="hidden" name="confirme" value="1">' in page
    assert '<input type="hidden" name="action" value="emettre">' in page
    # The panel's button, the only one that issues: the page's own actions wait.
    assert page.count(">Émettre le bon de commande</button>") == 1
    assert ">Émettre le bon de commande</button>" in page.split("del-confirmation")[1]
    assert f'href="{brouillon.get_absolute_url()}">Annuler</a>' in page
    # Nothing changed: no number taken.
    brouillon.refresh_from_db()
    assert (brouillon.etat, brouillon.numero, compteurs()) == (
        EtatBonDeCommande.BROUILLON,
        None,
        avant,
    )

    reponse = client.post(brouillon.get_absolute_url(), {"action": "emettre", "confirme": "1"})
    assert reponse.status_code == 302
    brouillon.refresh_from_db()
    assert brouillon.etat == EtatBonDeCommande.EMIS and brouillon.numero.startswith("BC-2026-")


def test_qui_ne_peut_pas_emettre_est_refuse_sans_confirmation(demo, brouillon):
    """The confirmation is asked only of whom the page offers the step: others get its
    refusal, as before."""
    reponse = connecte(demo["commission1"]).post(
        brouillon.get_absolute_url(), {"action": "emettre"}
    )
    assert reponse.status_code == 302
    assert [m.message for m in get_messages(reponse.wsgi_request)] == [
        "Cette étape est prise en charge par Hélène Gorodey."
    ]
    brouillon.refresh_from_db()
    assert brouillon.etat == EtatBonDeCommande.BROUILLON


def test_emettre_un_avenant_demande_une_confirmation(demo, bon_emis):
    commandes.accuser(bon_emis, par=demo["alpha1"])
    ligne = bon_emis.lignes.get(prescription__demandeur__nom="HMAE")
    retrait = commandes.desister(ligne, par=demo["alpha1"], motif="Déménage en province Nord.")
    client = connecte(demo["gestionnaire1"])
    donnees = {"action": "emettre_avenant", "avenant": retrait.pk}
    reponse = client.post(bon_emis.get_absolute_url(), donnees)
    page = unescape(reponse.content.decode())
    assert reponse.status_code == 400
    assert f"Vous allez émettre l'avenant au bon de commande {bon_emis.numero} : HMAE " in page
    assert (
        f"(retrait). Il recevra le numéro définitif ({bon_emis.numero}-A…, le suivant du bon) "
        "et sera envoyé au prestataire Alpha Insertion SARL (ALPHA) ; il ne pourra plus être "
        "modifié." in page
    )
    retrait.refresh_from_db()
    assert (retrait.etat, retrait.numero) == (EtatAvenant.BROUILLON, None)

    assert client.post(bon_emis.get_absolute_url(), {**donnees, "confirme": "1"}).status_code == 302
    retrait.refresh_from_db()
    assert (retrait.etat, retrait.numero) == (EtatAvenant.EMIS, f"{bon_emis.numero}-A1")


def test_un_brouillon_compte_les_beneficiaires_qu_il_liste(
    demo, brouillon, django_assert_max_num_queries
):
    """A draft listed two people and said "Bénéficiaires 0": it counted only the people
    already ordered."""
    client = connecte(demo["gestionnaire1"])
    page = client.get(brouillon.get_absolute_url()).content.decode()
    assert "<dt>Bénéficiaires</dt><dd>2</dd>" in page
    assert page.count('<tr id="ligne-') == 2
    with django_assert_max_num_queries(12):
        liste = client.get(reverse("commandes:index")).content.decode()
    ligne = liste.split(f'href="{brouillon.get_absolute_url()}"')[1].split("</tr>")[0]
    assert "<td>2</td>" in ligne


def test_un_retrait_reste_liste_mais_n_est_plus_compte(demo, bon_emis):
    """Once an avenant takes a withdrawn person off, the page still lists their line, and says
    what it is."""
    commandes.accuser(bon_emis, par=demo["alpha1"])
    ligne = bon_emis.lignes.get(prescription__demandeur__nom="HMAE")
    retrait = commandes.desister(ligne, par=demo["alpha1"], motif="Déménage en province Nord.")
    commandes.emettre_avenant(retrait, par=demo["gestionnaire1"])
    page = connecte(demo["gestionnaire1"]).get(bon_emis.get_absolute_url()).content.decode()
    assert (
        "<dt>Bénéficiaires</dt><dd>1 ; 1 autre(s) ligne(s) ci-dessous : retirée(s) ou à "
        "ajouter par avenant</dd>" in page
    )
    assert page.count('<tr id="ligne-') == 2
