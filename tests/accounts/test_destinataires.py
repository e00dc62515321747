"""Whom a notification goes to: the active holders of a role, and for a prestataire's role, of
that prestataire only."""

from accounts.models import utilisateurs_du_role
from accounts.roles import Role


def noms(utilisateurs) -> set[str]:
    return {u.username for u in utilisateurs}


def test_les_destinataires_d_un_role_sont_ses_titulaires_actifs(demo):
    assert noms(utilisateurs_du_role(Role.GESTIONNAIRE)) == {"gestionnaire1"}
    demo["gestionnaire1"].is_active = False
    demo["gestionnaire1"].save()
    assert noms(utilisateurs_du_role(Role.GESTIONNAIRE)) == set()


def test_la_direction_d_un_prestataire_est_la_sienne_seulement(demo):
    beta = demo["beta1"].prestataire_id
    assert noms(utilisateurs_du_role(Role.PRESTATAIRE_DIRECTION, prestataire_id=beta)) == {"beta1"}
    assert "beta1" in noms(utilisateurs_du_role(Role.PRESTATAIRE_DIRECTION))
