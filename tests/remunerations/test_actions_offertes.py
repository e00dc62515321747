"""The buttons of an état de rémunération's page come from its state machine: submitting to
the prestataire's direction while the état can change, sending back and accepting to finance
once it is submitted (django-fsm's available transitions); declaring, which changes no state,
by the same predicate as submitting, and the late absences on the earliest état still open."""

import re
from datetime import date

import pytest
from django.test import Client

from remunerations import calcul, services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from remunerations.views import EtatDetailView

from .conftest import a

pytestmark = pytest.mark.django_db

UTILISATEURS = ("alpha1", "finance1", "gestionnaire1", "beta1")


def boutons(demo, username, etat):
    """The actions the état's page offers the user (None: they do not see it)."""
    client = Client()
    client.force_login(demo[username])
    reponse = client.get(etat.get_absolute_url())
    if reponse.status_code == 404:
        return None
    return set(re.findall(r'name="action" value="(\w+)"', reponse.content.decode()))


def verifier_la_page(demo, etat, **attendu):
    etat.refresh_from_db()
    for username in UTILISATEURS:
        offertes = boutons(demo, username, etat)
        assert offertes == attendu.get(username, set()), (etat.etat, username)
        if offertes is not None:
            disponibles = {t.name for t in etat.get_available_user_etat_transitions(demo[username])}
            assert {a for a, t in EtatDetailView.transitions.items() if t in disponibles} == (
                offertes & set(EtatDetailView.transitions)
            )


def test_un_etat_passe_de_la_direction_du_prestataire_a_la_finance_et_retour(demo):
    """ALPHA's October, declared in the demo: the earliest month ALPHA has not reconciled."""
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    alpha, finance = demo["alpha1"], demo["finance1"]
    declaration = {"declarer", "soumettre", "regulariser"}
    with a("2026-11-24"):
        verifier_la_page(demo, etat, alpha1=declaration, beta1=None)
        services.soumettre(etat, par=alpha)
        verifier_la_page(demo, etat, finance1={"renvoyer", "accepter"}, beta1=None)
        ligne = calcul.releve(etat).lignes[0]
        services.renvoyer(etat, par=finance, commentaires={services.cle(ligne): "À vérifier"})
        verifier_la_page(demo, etat, alpha1=declaration, beta1=None)
        services.soumettre(etat, par=alpha)
        services.accepter(etat, par=finance)
        etat.refresh_from_db()
        assert etat.etat == EtatDeclaration.ACCEPTE
        verifier_la_page(demo, etat, beta1=None)
