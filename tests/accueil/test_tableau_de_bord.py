"""The managers' dashboard at volume (issue 17): real totals (a COUNT, not the rows read), the
first page of each list with a link to the full list page by page, the parcours without
contact found without grouping every running parcours' rendez-vous, and the same number of
queries whatever the rows."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import User
from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande, NatureAvenant
from bons_de_commande.models import Avenant, BonDeCommande
from prestataires.enums import EtatParcours, NatureRendezVous
from prestataires.models import Parcours, RendezVous
from prestataires.suivi import SILENCE_REFERENT
from procurement.models import AttributionLot
from reporting import pilotage
from tests.factories import bons_de_commande, parcours_commandes
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import afficher, ecarts, mesurer

TABLEAU = reverse("pilotage:index")
COMMANDES = f"{TABLEAU}?liste=commandes_non_accusees"
SILENCIEUX = f"{TABLEAU}?liste=parcours_silencieux"
NOUMEA = ZoneInfo("Pacific/Noumea")
JOUR = "2026-12-10"


def attribution(code="ALPHA") -> AttributionLot:
    return AttributionLot.objects.select_related("prestataire", "lot").get(
        prestataire__code=code, lot__numero=1
    )


def emettre(nombre: int, code="ALPHA"):
    """`nombre` orders of `code` issued and not acknowledged, one a day from 01/10/2026, and as
    many avenants to them, issued half a day later."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    debut = datetime(2026, 10, 1, 9, tzinfo=NOUMEA)
    bons = bons_de_commande(
        nombre, attribution=attribution(code), emis_par=gestionnaire, etat=EtatBonDeCommande.EMIS
    )
    for rang, bon in enumerate(bons):
        bon.emis_le = debut + timedelta(days=rang)
    type(bons[0]).objects.bulk_update(bons, ["emis_le"])
    Avenant.objects.bulk_create(
        Avenant(
            bon=bon, nature=NatureAvenant.RETRAIT, etat=EtatAvenant.EMIS, motif="Désistement",
            rang=1, numero=f"{bon.numero}-A1", emis_le=bon.emis_le + timedelta(hours=12),
            emis_par=gestionnaire,
        )
        for bon in bons
    )  # fmt: skip


def silencieux(nombre: int):
    """`nombre` running ALPHA parcours entered on 01/09/2026, each with a rendez-vous on
    01/11/2026 (silent on 10/12), and as many with a rendez-vous on 01/12 (not silent)."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    for jour in (date(2026, 11, 1), date(2026, 12, 1)):
        parcours = parcours_commandes(
            nombre, attribution=attribution(), par=gestionnaire,
            etat=EtatParcours.EN_COURS, date_entree=date(2026, 9, 1),
        )  # fmt: skip
        RendezVous.objects.bulk_create(
            RendezVous(
                parcours=p, date=jour, nature=NatureRendezVous.INDIVIDUEL, objet="Point",
                par=gestionnaire,
            )
            for p in parcours
        )  # fmt: skip


def liste(reponse, titre):
    (trouvee,) = [liste for liste in reponse.context["listes"] if liste.titre.startswith(titre)]
    return trouvee


def test_totaux_reels_au_dela_de_cent_et_liste_complete(client, demo):
    """120 orders and avenants waiting for acknowledgement: the board says 120 (not the 100 it
    read), shows the 50 waiting longest and links to the full list, whose pages hold them all
    in that order."""
    emettre(60)
    client.force_login(demo["gestionnaire1"])
    with a(JOUR):
        reponse = client.get(TABLEAU)
    commandes = liste(reponse, "Bons de commande et avenants")
    total = commandes.total
    # With the demo's own (ALPHA's avenant issued on 24/11).
    assert total == (
        BonDeCommande.objects.filter(etat=EtatBonDeCommande.EMIS).count()
        + Avenant.objects.filter(etat=EtatAvenant.EMIS).count()
    )
    assert total > 120
    assert len(commandes.alertes) == pilotage.LIGNES_PAR_LISTE
    # The longest waiting first: the first order issued on 01/10, its avenant, the next...
    assert [a.echeance for a in commandes.alertes[:3]] == [
        date(2026, 10, 6), date(2026, 10, 6), date(2026, 10, 7)
    ]  # fmt: skip
    assert commandes.alertes[0].jours_de_retard == 65
    page = reponse.content.decode()
    assert f"Bons de commande et avenants non accusés ({total})" in page
    assert f'href="?liste=commandes_non_accusees">Toute la liste ({total})</a>' in page

    vues = []
    for numero in (1, 2, 3):
        with a(JOUR):
            reponse = client.get(f"{COMMANDES}&page={numero}")
        assert reponse.status_code == 200
        complete = reponse.context["liste_complete"]
        assert complete.total == total
        vues += [alerte.libelle for alerte in complete.alertes]
    assert len(vues) == len(set(vues)) == total
    assert f"Page 3 sur {-(-total // pilotage.LIGNES_PAR_LISTE)}" in reponse.content.decode()
    retards = [a.jours_de_retard for a in complete.alertes]
    assert retards == sorted(retards, reverse=True)


def test_liste_inconnue(client, demo):
    client.force_login(demo["gestionnaire1"])
    assert client.get(TABLEAU, {"liste": "inconnue"}).status_code == 404
    # The états de rémunération are not a direction's... but the lists it has are.
    client.force_login(demo["alpha1"])
    assert client.get(COMMANDES).status_code == 200


def test_parcours_silencieux_comme_le_suivi(client, demo):
    """The board's silent parcours are those of Parcours.objects.silencieux (the reminders'
    rule), with the same last contact, for every kind: a last rendez-vous too old or recent,
    no rendez-vous and an entry too old or recent."""
    silencieux(3)
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    for entree in (date(2026, 11, 1), date(2026, 12, 5)):
        parcours_commandes(
            1, attribution=attribution(), par=gestionnaire,
            etat=EtatParcours.EN_COURS, date_entree=entree,
        )  # fmt: skip
    jour = date(2026, 12, 10)
    attendus = {
        p.pk: p.dernier_contact for p in Parcours.objects.silencieux(jour, SILENCE_REFERENT)
    }
    trouves = {
        p.pk: p.dernier_contact
        for p in pilotage.silencieux(Parcours.objects.all(), jour, SILENCE_REFERENT)
    }
    assert trouves == attendus
    assert len(trouves) >= 4
    assert date(2026, 11, 1) in trouves.values()
    assert date(2026, 12, 1) not in trouves.values() and date(2026, 12, 5) not in trouves.values()


@pytest.mark.parametrize("lecteur", ["gestionnaire1", "alpha1"])
def test_tableau_et_listes_completes_requetes_constantes(client, demo, lecteur):
    """The board and the full lists take the same queries with 30 or 60 more orders, avenants
    and silent parcours (beyond a page)."""
    urls = [TABLEAU, COMMANDES, f"{COMMANDES}&page=2", SILENCIEUX, f"{SILENCIEUX}&page=2"]
    emettre(30)
    silencieux(30)
    with a(JOUR):
        avant = mesurer(client, demo, urls, lecteurs=[lecteur])
    emettre(30)
    silencieux(30)
    with a(JOUR):
        apres = mesurer(client, demo, urls, lecteurs=[lecteur])
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur le tableau de bord"
    assert liste(apres[lecteur, TABLEAU].reponse, "Parcours sans contact").total >= 60
