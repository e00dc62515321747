"""The buttons of an état de rémunération's page come from its state machine: submitting to
the prestataire's direction while the état can change, sending back and accepting to finance
once it is submitted (django-fsm's available transitions); declaring, which changes no state,
by the same predicate as submitting, and the late absences on the earliest état still open."""

from datetime import date

import pytest

from remunerations import calcul, services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from remunerations.views import EtatDetailView
from tests.offertes import verifier_les_offres

from .conftest import a

pytestmark = pytest.mark.django_db

UTILISATEURS = ("alpha1", "finance1", "gestionnaire1", "beta1")


def verifier_la_page(demo, etat, **attendu):
    verifier_les_offres(demo, etat, EtatDetailView, UTILISATEURS, **attendu)


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
