"""Every e-mail's subject is its notification's whole sentence: reminders, alerts and requests
were cut at 80 characters, mid-word ("…attend votre co-signature depuis 5 j"). Each notice the
application sends is fired here once, from the demo, and each of its e-mails is checked."""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase

from bons_de_commande import services as commandes
from bons_de_commande.models import Avenant, BonDeCommande
from prestataires import services as parcours_services
from prestataires import suivi
from prestataires.models import Parcours
from procurement import services as prescriptions
from procurement.models import Lot, Prescription, TypeSortie
from remunerations import services as remunerations
from remunerations.models import EtatRemuneration
from reporting import bilans
from reporting.annuel import redaction
from reporting.models import BilanFinParcours
from tests.prestataires.conftest import a
from workflows.models import Notification
from workflows.notifications import PREFIXE_DU_SUJET

pytestmark = pytest.mark.django_db


def parcours_de(nom):
    return Parcours.objects.get(demandeur__nom=nom)


def bilan_ete():
    return BilanFinParcours.objects.get(bon__numero="BC-2026-0001")


def bilan_annuel_demande(demo):
    return redaction.ouvrir(
        prestataire_id=demo["alpha1"].prestataire_id,
        lot=Lot.objects.get(numero=1),
        du=date(2026, 1, 1),
        au=date(2026, 12, 31),
        par=demo["gestionnaire1"],
    )


def contact_de_maintien_manque(demo):
    """WAIA leaves into a CDI on 30/11/2026: its first maintien contact, planned on 30/12, is
    not recorded by 07/01/2027."""
    with a("2026-11-30"):
        parcours_services.sortir(
            parcours_de("WAIA"),
            par=demo["alpha1"],
            date_sortie=date(2026, 11, 30),
            type_fin="anticipee",
            type_sortie=TypeSortie.objects.get(code="cdi"),
            motif_sortie="Embauché en CDI",
            difficultes="Aucune",
            preconisations="Suivre l'intégration",
        )
    return suivi.signaler_contacts_maintien(date(2027, 1, 8))


def candidat_propose(demo, client):
    """ALPHA suggests a substitute for TEANYOUEN, withdrawn from its November order."""
    bon = BonDeCommande.objects.get(numero="BC-2026-0002")
    ligne = bon.lignes.get(prescription__demandeur__nom="TEANYOUEN")
    client.force_login(demo["alpha1"])
    reponse = client.post(
        bon.get_absolute_url(),
        {
            "action": "candidat",
            "ligne": ligne.pk,
            f"candidat-{ligne.pk}-texte": "WAKAPO Line, née le 02/03/1996 : motivée, disponible.",
        },
    )
    assert reponse.status_code == 302


AVIS = {
    "rappel de co-signature": lambda demo, client: prescriptions.rappeler_cosignature(
        Prescription.objects.get(demandeur__nom="WAMYTAN")
    ),
    "bon non accusé": lambda demo, client: commandes.alerter_bon_non_accuse(
        BonDeCommande.objects.get(numero="BC-2026-0002")
    ),
    "avenant non accusé": lambda demo, client: commandes.alerter_avenant_non_accuse(
        Avenant.objects.get(numero="BC-2026-0002-A1")
    ),
    "entrée tardive": lambda demo, client: suivi.alerter_entree_tardive(parcours_de("KAOUMA")),
    "suspension longue": lambda demo, client: suivi.alerter_suspension_longue(
        parcours_de("GOPOEA")
    ),
    "silences": lambda demo, client: suivi.signaler_silences(date(2027, 3, 1)),
    "contact de maintien manqué": lambda demo, client: contact_de_maintien_manque(demo),
    "rappel du bilan": lambda demo, client: bilans.rappeler(bilan_ete()),
    "bilan en retard": lambda demo, client: bilans.signaler_retard(bilan_ete()),
    "état non soumis": lambda demo, client: remunerations.signaler_retard(
        EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    ),
    "bilan annuel demandé": lambda demo, client: bilan_annuel_demande(demo),
    "bilan annuel transmis": lambda demo, client: redaction.transmettre(
        bilan_annuel_demande(demo), par=demo["alpha1"], analyse="Une année de premières entrées."
    ),
    "candidat proposé": candidat_propose,
}


@pytest.mark.parametrize("avis", AVIS)
def test_le_sujet_du_courriel_est_la_phrase_entiere(client, demo, avis):
    avant, deja = len(mail.outbox), set(Notification.objects.values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        AVIS[avis](demo, client)
    courriels = mail.outbox[avant:]
    notifications = Notification.objects.exclude(pk__in=deja).select_related("destinataire")
    assert courriels
    assert len(courriels) == notifications.count()
    for notification in notifications:
        (courriel,) = [
            c
            for c in courriels
            if c.to == [notification.destinataire.email]
            and c.subject == PREFIXE_DU_SUJET + notification.message
        ]
        assert notification.message.endswith(".")
        assert f"{settings.SITE_URL}{notification.lien}" in courriel.body
