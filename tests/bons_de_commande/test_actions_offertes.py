"""The buttons of a session's and an order's pages come from their state machines (the order's,
its lines' and its avenants'): each state change is offered to whoever its transition permits
now (django-fsm's available transitions); the other actions (the agenda, the decisions, a
substitute) by the record's predicates."""

from datetime import date

import pytest

from bons_de_commande import services as commandes
from bons_de_commande.views import BonDetailView
from procurement import services
from procurement.views import SessionDetailView
from tests.offertes import verifier_les_offres

from .conftest import ouvrir_une_seance, prescription, valider

pytestmark = pytest.mark.django_db

UTILISATEURS = ("gestionnaire1", "commission1", "alpha1", "beta1")


def verifier_la_page(demo, bon, **attendu):
    verifier_les_offres(demo, bon, BonDetailView, UTILISATEURS, **attendu)


def test_la_page_d_un_bon_offre_a_chacun_les_transitions_que_son_etat_lui_permet(demo, seance):
    gestionnaire, alpha = demo["gestionnaire1"], demo["alpha1"]
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 12)
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    # A draft is the DEL's: its gestionnaires issue or cancel it; a prestataire never sees it.
    verifier_la_page(demo, bon, gestionnaire1={"emettre", "annuler"}, commission1=set(),
                     alpha1=None, beta1=None)  # fmt: skip

    commandes.emettre(bon, par=gestionnaire)
    # Issued: ALPHA acknowledges it; a withdrawal is recorded by whoever holds the right.
    verifier_la_page(demo, bon, gestionnaire1={"desister"}, commission1=set(),
                     alpha1={"accuser", "desister"}, beta1=None)  # fmt: skip

    commandes.accuser(bon, par=alpha)
    # Acknowledged, with two parcours to run: it does not close yet.
    verifier_la_page(demo, bon, gestionnaire1={"desister"}, commission1=set(),
                     alpha1={"desister"}, beta1=None)  # fmt: skip

    retraits = [
        commandes.desister(ligne, par=alpha, motif="Déménage en province Nord.")
        for ligne in bon.lignes.all()
    ]
    # Withdrawn: a substitute may be proposed; the avenants are the DEL's to issue.
    verifier_la_page(demo, bon, gestionnaire1={"remplacant", "emettre_avenant"},
                     commission1=set(), alpha1={"candidat"}, beta1=None)  # fmt: skip

    for avenant in retraits:
        commandes.emettre_avenant(avenant, par=gestionnaire)
    # The withdrawn are off the order and their parcours cancelled: nobody is left to follow,
    # the DEL may close it.
    verifier_la_page(demo, bon, gestionnaire1={"remplacant", "cloturer"}, commission1=set(),
                     alpha1={"candidat", "accuser_avenant"}, beta1=None)  # fmt: skip

    for avenant in retraits:
        commandes.accuser_avenant(avenant, par=alpha)
    verifier_la_page(demo, bon, gestionnaire1={"remplacant", "cloturer"}, commission1=set(),
                     alpha1={"candidat"}, beta1=None)  # fmt: skip

    commandes.cloturer(bon, par=gestionnaire)
    verifier_la_page(demo, bon, gestionnaire1={"remplacant"}, commission1=set(),
                     alpha1={"candidat"}, beta1=None)  # fmt: skip


def test_la_page_d_une_seance_offre_sa_preparation_puis_sa_deliberation(demo):
    """The gestionnaire prepares the agenda and opens the sitting once it has a prescription;
    the commission's members then decide and close it; the others read."""
    gestionnaire, commission = demo["gestionnaire1"], demo["commission1"]
    session = ouvrir_une_seance(demo, 1, "ALPHA", date(2026, 11, 24))

    def verifier(**attendu):
        utilisateurs = ("gestionnaire1", "commission1", "conseiller1")
        verifier_les_offres(demo, session, SessionDetailView, utilisateurs, **attendu)

    verifier(gestionnaire1={"inscrire"})
    services.inscrire(session, [prescription("DUPONT")], par=gestionnaire)
    verifier(gestionnaire1={"inscrire", "desinscrire", "ouvrir_seance"})
    services.ouvrir_seance(session, par=gestionnaire)
    verifier(commission1={"decider", "cloturer"})
    valider(session, "DUPONT", commission, 7)
    verifier(commission1={"decider", "cloturer"})  # a decision is corrected until the close
    services.cloturer_seance(session, par=commission)
    verifier()
