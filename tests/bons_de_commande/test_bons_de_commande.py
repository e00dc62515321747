"""Bons de commande and avenants (docs/domaine.md, process steps 3 and 4)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from viewflow.workflow.timers import fire_due_timers

from accueil.views import taches_de
from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande, EtatLigne
from bons_de_commande.models import CompteurAnnuel
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from procurement import services
from procurement.enums import EtatPrescription
from procurement.models import today
from tests.bons_de_commande.conftest import (
    ouvrir_une_seance,
    prescription,
    remplacant_soumis,
    texte_pdf,
    valider,
)
from workflows.history import historique
from workflows.models import Notification

NOUMEA = ZoneInfo("Pacific/Noumea")
pytestmark = pytest.mark.django_db


def numero_attendu(rang):
    return f"BC-{today().year}-{rang:04d}"


@pytest.mark.pdf
def test_issued_order_is_numbered_frozen_and_its_pdf_lists_each_line(demo, bon_emis):
    # The demo already issued BC-<year>-0001 and 0002 to ALPHA.
    assert bon_emis.numero == numero_attendu(3)
    assert bon_emis.etat == EtatBonDeCommande.EMIS
    texte = texte_pdf(bon_emis.document.contenu)
    assert bon_emis.numero in texte
    assert "DUPONT" in texte and "7 mois" in texte
    assert "HMAE" in texte and "12 mois" in texte
    assert "Nombre de bénéficiaires : 2" in texte
    assert "Marché DEL 2020-PI lot 1" in texte
    assert {p.etat for p in [prescription("DUPONT"), prescription("HMAE")]} == {
        EtatPrescription.COMMANDEE
    }


def test_redownloading_the_order_gives_the_same_document(demo, bon_emis):
    client = Client()
    client.force_login(demo["alpha1"])
    url = reverse("commandes:pdf", args=[bon_emis.pk])
    premier = b"".join(client.get(url).streaming_content)
    second = b"".join(client.get(url).streaming_content)
    assert premier == second == bytes(bon_emis.document.contenu)


def test_an_order_cannot_be_issued_twice(demo, bon_emis):
    with pytest.raises(ValidationError, match="ne peut plus être émis"):
        commandes._emettre(bon_emis, par=demo["gestionnaire1"])
    with pytest.raises(ValidationError, match="n'est pas \\(ou plus\\) à accomplir"):
        commandes.emettre(bon_emis, par=demo["gestionnaire1"])
    bon_emis.refresh_from_db()
    assert bon_emis.numero == numero_attendu(3)
    assert CompteurAnnuel.objects.get(annee=bon_emis.annee).dernier == 3


def test_numbers_follow_the_year_in_noumea_time(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 7)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    # 31 December 2027 at 23:30 in Nouméa is 12:30 UTC the same day: numbered in 2027.
    with time_machine.travel(datetime(2027, 12, 31, 23, 30, tzinfo=NOUMEA), tick=False):
        commandes.emettre(bon, par=demo["gestionnaire1"])
    bon.refresh_from_db()
    assert bon.numero == "BC-2027-0001"
    # 1 January 2028 at 09:00 in Nouméa is still 31 December 2027 in UTC: numbered in 2028.
    with time_machine.travel(datetime(2028, 1, 1, 9, 0, tzinfo=NOUMEA), tick=False):
        assert today().year == 2028
        assert commandes.prochain_numero(today().year) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_duplicates_nor_skips_a_number():
    """Eight transactions take a number at the same moment: 1 to 8, each once."""
    depart = threading.Barrier(8)
    numeros, erreurs = [], []

    def emettre():
        try:
            depart.wait()
            with transaction.atomic():
                numeros.append(commandes.prochain_numero(2031))
        except Exception as erreur:  # noqa: BLE001 -- reported below
            erreurs.append(erreur)
        finally:
            connection.close()  # each thread has its own connection; free it for teardown

    fils = [threading.Thread(target=emettre) for _ in range(8)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert not erreurs
    assert sorted(numeros) == list(range(1, 9))


def test_prestataire_acknowledges_and_gets_one_parcours_per_line(demo, bon_emis):
    assert "Accuser réception du bon de commande" in [
        t.flow_task.task_title for t in taches_de(demo["alpha1"])
    ]
    assert not [t for t in taches_de(demo["beta1"]) if "bon de commande" in t.flow_task.task_title]
    with pytest.raises(PermissionDenied):
        commandes.accuser(bon_emis, par=demo["beta1"])
    client = Client()
    client.force_login(demo["alpha1"])
    response = client.post(bon_emis.get_absolute_url(), {"action": "accuser"}, follow=True)
    assert "Réception accusée : 2 parcours en attente" in response.content.decode()
    bon_emis.refresh_from_db()
    assert bon_emis.etat == EtatBonDeCommande.ACCUSE and bon_emis.accuse_par == demo["alpha1"]
    parcours = Parcours.objects.filter(ligne__bon=bon_emis)
    assert sorted((p.demandeur.nom, p.duree_mois, p.etat) for p in parcours) == [
        ("DUPONT", 7, EtatParcours.ATTENTE_ENTREE),
        ("HMAE", 12, EtatParcours.ATTENTE_ENTREE),
    ]


def test_order_not_acknowledged_within_5_days_is_escalated(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 7)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    debut = datetime(2026, 11, 30, 10, tzinfo=NOUMEA)  # across the month end
    with time_machine.travel(debut, tick=False):
        bon = commandes.emettre(bon, par=demo["gestionnaire1"])
    alertes = Notification.objects.filter(
        destinataire=demo["gestionnaire1"], message__contains=f"{bon.numero} n'a pas été accusé"
    )
    bon.refresh_from_db()
    with time_machine.travel(debut + timedelta(days=5, minutes=-1), tick=False):
        fire_due_timers()
    assert not alertes.exists()
    with time_machine.travel(debut + timedelta(days=5, minutes=1), tick=False):
        fire_due_timers()
    assert alertes.count() == 1


def test_prestataire_isolation_on_orders_pages_downloads_and_actions(demo, bon_emis):
    autre = Client()
    autre.force_login(demo["beta1"])
    for url in [
        bon_emis.get_absolute_url(),
        reverse("commandes:pdf", args=[bon_emis.pk]),
    ]:
        assert autre.get(url).status_code == 404
    assert autre.post(bon_emis.get_absolute_url(), {"action": "accuser"}).status_code == 404
    assert bon_emis.numero not in autre.get(reverse("commandes:index")).content.decode()
    bon_emis.refresh_from_db()
    assert bon_emis.etat == EtatBonDeCommande.EMIS


def test_prestataire_does_not_see_draft_orders(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 7)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    client = Client()
    client.force_login(demo["alpha1"])
    assert client.get(bon.get_absolute_url()).status_code == 404


def test_order_list_runs_a_constant_number_of_queries(
    demo, bon_emis, django_assert_max_num_queries
):
    client = Client()
    client.force_login(demo["gestionnaire1"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("commandes:index"))
    assert response.status_code == 200 and bon_emis.numero in response.content.decode()


@pytest.mark.pdf
def test_withdrawal_and_substitution_give_two_avenants(demo, bon_emis):
    gestionnaire, alpha = demo["gestionnaire1"], demo["alpha1"]
    commandes.accuser(bon_emis, par=alpha)
    ligne = bon_emis.lignes.get(prescription__demandeur__nom="HMAE")
    retrait = commandes.desister(ligne, par=alpha, motif="Déménage en province Nord.")
    assert prescription("HMAE").etat == EtatPrescription.DESISTEE
    assert Parcours.objects.get(ligne=ligne).etat == EtatParcours.ANNULE
    commandes.emettre_avenant(retrait, par=gestionnaire)
    retrait.refresh_from_db()
    assert retrait.numero == f"{bon_emis.numero}-A1"
    assert "HMAE" in texte_pdf(retrait.document.contenu)
    commandes.accuser_avenant(retrait, par=alpha)

    # A substitute from the other lot is refused; one from the same lot is accepted.
    autre_lot = prescription("LEROUX")
    with pytest.raises(ValidationError, match="lot 1"):
        commandes.proposer_remplacant(ligne, autre_lot, par=gestionnaire)
    remplacant = prescription("KAOUMA")  # ALPHA lot 1, already ordered: not submitted
    assert remplacant.etat == EtatPrescription.COMMANDEE
    with pytest.raises(ValidationError, match="soumise"):
        commandes.proposer_remplacant(ligne, remplacant, par=gestionnaire)
    nouvelle = remplacant_soumis(demo, "WAHETRA")
    commandes.proposer_remplacant(ligne, nouvelle, par=gestionnaire)

    # Expedited single-item session.
    express = ouvrir_une_seance(demo, 1, "ALPHA", datetime(2026, 11, 25).date())
    services.inscrire(express, [nouvelle], par=gestionnaire)
    services.ouvrir_seance(express, par=gestionnaire)
    valider(express, "WAHETRA", demo["commission1"], 5)
    assert services.cloturer_seance(express, par=demo["commission1"]) is None  # no new order
    ajout = bon_emis.avenants.get(rang__isnull=True)
    commandes.emettre_avenant(ajout, par=gestionnaire)
    ajout.refresh_from_db()
    assert ajout.numero == f"{bon_emis.numero}-A2"
    texte = texte_pdf(ajout.document.contenu)
    assert "WAHETRA" in texte and "5 mois" in texte and "Nombre de bénéficiaires : 2" in texte
    parcours = commandes.accuser_avenant(ajout, par=alpha)
    assert [p.demandeur.nom for p in parcours] == ["WAHETRA"]
    assert ajout.etat == EtatAvenant.EMIS  # the in-memory copy; the database moved on
    ajout.refresh_from_db()
    assert ajout.etat == EtatAvenant.ACCUSE
    assert bon_emis.lignes.get(prescription=nouvelle).etat == EtatLigne.COMMANDEE


def test_no_avenant_on_a_cancelled_order(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 7)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    commandes.annuler(bon, par=demo["gestionnaire1"], motif="Crédits gelés.")
    bon.refresh_from_db()
    assert bon.etat == EtatBonDeCommande.ANNULE and bon.numero is None
    ligne = bon.lignes.first()
    with pytest.raises(ValidationError, match="annulé : aucun avenant"):
        commandes.desister(ligne, par=demo["gestionnaire1"], motif="test")
    assert prescription(ligne.prescription.demandeur.nom).etat == EtatPrescription.VALIDEE


def test_every_step_is_a_journaled_transition(demo, bon_emis):
    noms = [t.nom for t in historique(prescription("DUPONT"))]
    assert noms == ["transmettre", "inscrire", "valider", "commander"]
    assert [t.nom for t in historique(bon_emis)] == ["emettre"]
