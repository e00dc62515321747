"""The check a service runs before a transition is django-fsm's rule (has_transition_perm):
refused to whom the transition's permission excludes (PermissionDenied, checked first), and
when its source or conditions exclude it (ValidationError)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import has_transition_perm

from prestataires.models import Parcours
from workflows.actions import exiger_transition

pytestmark = pytest.mark.django_db

CONDUISENT = ("alpha1", "alpha2")  # KAOUMA's parcours: ALPHA's direction and her chargé


@pytest.mark.parametrize("username", [*CONDUISENT, "beta1", "gestionnaire1"])
@pytest.mark.parametrize(
    "nom", ["annuler", "entrer", "suspendre", "reprendre", "sortir", "clore_maintien"]
)
def test_exiger_une_transition_refuse_ce_que_django_fsm_refuse(demo, username, nom):
    """KAOUMA waits for her entry: anyone may cancel her parcours (her withdrawal, recorded on
    the order), only those who conduct it enter her, and nothing else happens yet."""
    transition = getattr(Parcours.objects.get(demandeur__nom="KAOUMA"), nom)
    if nom == "annuler" or (nom == "entrer" and username in CONDUISENT):
        attendu = None
    elif username in CONDUISENT:
        attendu = ValidationError  # they conduct it, but not in this state
    else:
        attendu = PermissionDenied  # who may is checked before when

    assert has_transition_perm(transition, demo[username]) is (attendu is None)
    if attendu is None:
        exiger_transition(transition, demo[username], refus="Pas maintenant.")
    else:
        with pytest.raises(attendu):
            exiger_transition(transition, demo[username], refus="Pas maintenant.")
