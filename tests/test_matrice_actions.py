"""Every action of every page, for every kind of user, on a given record (issue 16, finding 4:
"the object × user access matrix covers every view, file and action"). The pages and files
are in test_access_matrix.py; here, the POSTed actions of the action registries (the
`actions` of each page built on workflows.actions.ActionsMixin), found from the URL resolver:
an action not listed here fails the test, naming it.

Each action is posted once by each user, in a savepoint rolled back after it, on the demo's
records of KAOUMA (her order, parcours, stage, module), ALPHA's November session, its October
état de rémunération and its summer session's bilan. The users are named by what they are to
the record: ALPHA's direction (alpha1), KAOUMA's chargé (alpha2), another chargé of ALPHA
(alpha3, who follows WAIA), another prestataire (beta1), and each role of the DEL.

What a POST gets is read as one of three outcomes, one letter in the matrix:
- I, introuvable: a 404, as if the record did not exist (never a 403 that would confirm it);
- R, refusée: a 403, or the page back with the refusal "not allowed" (PermissionDenied);
- E, examinée: the request reached the action's own rules: it ran, or was refused on its data
  or on the record's state (the form's errors, a rule's message). The POSTs carry no form
  data, so most are refused that way: this matrix pins who reaches what; that a refused
  writer changes nothing with well-formed data is told by the isolation stories
  (tests/*/test_isolation_actions.py, tests/bons_de_commande/test_perimetre_charge.py).
"""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client

from bons_de_commande.models import LigneCommande
from prestataires.models import ActionPlan
from tests.test_access_matrix import bilan_annuel_alpha
from tests.urlmatrix import all_url_views, autre_charge, demo_objects
from workflows import actions as registre
from workflows.actions import ActionsMixin

INTROUVABLE, REFUSEE, EXAMINEE = "I", "R", "E"
# The columns of the matrix, in this order.
USERS = [
    "alpha1", "alpha2", "alpha3", "beta1",
    "admin", "conseiller1", "ts1", "commission1", "gestionnaire1", "finance1",
]  # fmt: skip


def registre_des_actions() -> set[tuple[str, str]]:
    """(URL name, action) of every page that offers actions."""
    return {
        (name, action)
        for name, vue in all_url_views().items()
        if vue is not None and issubclass(vue, ActionsMixin)
        for action in vue.actions
    }


def record_et_donnees(name, objects):
    """The record each page's actions are tried on, and the POST's ids of its sub-records."""
    kaouma = objects["parcours"]
    # Sub-records the demo's KAOUMA lacks (she has not entered yet): an action of her plan,
    # her place in ALPHA's module; so that their actions are tried on a real one.
    action_du_plan = ActionPlan.objects.create(
        parcours=kaouma, etape=1, intitule="CV", echeance=date(2026, 12, 1)
    )
    objects["module"].participants.add(kaouma)
    return {
        "commandes:detail": lambda: (
            objects["bon"],
            {
                "ligne": LigneCommande.objects.get(parcours=kaouma).pk,
                "avenant": objects["avenant"].pk,
            },
        ),  # fmt: skip
        "parcours:detail": lambda: (
            kaouma,
            {"ligne": action_du_plan.pk},
        ),
        "parcours:stage": lambda: (objects["stage"], {}),
        "modules:detail": lambda: (objects["module"], {"parcours": kaouma.pk}),
        "seances:detail": lambda: (
            objects["session"],
            {"passage": objects["session"].passages.order_by("pk").first().pk},
        ),
        "remunerations:detail": lambda: (objects["etat"], {}),
        "bilans:detail": lambda: (objects["bilan"], {}),
        "bilans_annuels:detail": lambda: (bilan_annuel_alpha(), {}),
    }[name]()


def issue(user, url, donnees) -> str:
    """What the user's POST gets (one request), in a savepoint rolled back after it."""
    refus = []
    message_de = registre.message_de

    def espion(exception):
        refus.append(exception)
        return message_de(exception)

    with transaction.atomic(), mock.patch.object(registre, "message_de", espion):
        client = Client()
        client.force_login(user)
        reponse = client.post(url, donnees)
        transaction.set_rollback(True)
    assert reponse.status_code in (302, 400, 403, 404), (user.username, reponse.status_code)
    if reponse.status_code == 404:
        return INTROUVABLE
    if reponse.status_code == 403 or any(isinstance(r, PermissionDenied) for r in refus):
        return REFUSEE
    return EXAMINEE


def test_chaque_action_est_dans_la_matrice():
    manquantes = registre_des_actions() - MATRICE.keys()
    assert not manquantes, f"Ajouter à la matrice des actions : {sorted(manquantes)}"
    assert not MATRICE.keys() - registre_des_actions(), "La matrice liste des actions disparues"


@pytest.mark.parametrize(("name", "action"), sorted(registre_des_actions()))
def test_chaque_utilisateur_devant_chaque_action(demo, name, action):
    autre_charge(demo)
    record, ids = record_et_donnees(name, demo_objects())
    url = record.get_absolute_url()
    obtenu = " ".join(issue(demo[u], url, {"action": action, **ids}) for u in USERS)
    assert obtenu == MATRICE[(name, action)], (name, action, USERS)


# The actions that name a record of their own in the POST (a line, an avenant, a participant,
# a passage), with that field and a user who may take them.
IDENTIFIANTS = [
    ("commandes:detail", "desister", "ligne", "alpha1"),
    ("commandes:detail", "candidat", "ligne", "alpha1"),
    ("commandes:detail", "remplacant", "ligne", "gestionnaire1"),
    ("commandes:detail", "emettre_avenant", "avenant", "gestionnaire1"),
    ("commandes:detail", "accuser_avenant", "avenant", "alpha1"),
    ("parcours:detail", "statut_action", "ligne", "alpha1"),
    ("modules:detail", "retirer", "parcours", "alpha1"),
    ("seances:detail", "desinscrire", "passage", "gestionnaire1"),
    ("seances:detail", "decider", "passage", "commission1"),
]


@pytest.mark.parametrize(("name", "action", "champ", "username"), IDENTIFIANTS)
def test_un_identifiant_vide_ou_mal_forme_repond_404_jamais_500(
    demo, name, action, champ, username
):
    """A crafted POST with an empty or malformed id: a 404 (no such line, passage...), never
    a 500."""
    record, _ = record_et_donnees(name, demo_objects())
    for valeur in ("", "x"):
        with transaction.atomic():
            client = Client()
            client.force_login(demo[username])
            reponse = client.post(record.get_absolute_url(), {"action": action, champ: valeur})
            transaction.set_rollback(True)
        assert reponse.status_code == 404, (valeur, reponse.status_code)


MATRICE = {
    # Columns: alpha1 alpha2 alpha3 beta1 admin conseiller1 ts1 commission1 gestionnaire1 finance1
    # ALPHA's summer bilan: written by ALPHA's direction, examined by the gestionnaire.
    ('bilans:detail', 'accepter'): 'E R R I R R R R E R',
    ('bilans:detail', 'enregistrer'): 'E R R I R R R R E R',
    ('bilans:detail', 'renvoyer'): 'E R R I R R R R E R',
    ('bilans:detail', 'transmettre'): 'E R R I R R R R E R',
    # ALPHA's bilan annuel: its direction writes it; the DEL reads it.
    ('bilans_annuels:detail', 'enregistrer'): 'E R R I R R R R R R',
    ('bilans_annuels:detail', 'transmettre'): 'E R R I R R R R R R',
    # KAOUMA's order (acknowledged; its avenant, TEANYOUEN's withdrawal, waits for ALPHA): a
    # chargé reaches the lines of his people only, another chargé not the order; the
    # acknowledgements are the direction's; the DEL's gestionnaire issues, closes and names
    # substitutes.
    ('commandes:detail', 'accuser'): 'E E I I E E E E E R',
    ('commandes:detail', 'accuser_avenant'): 'E I I I R R R R R R',
    ('commandes:detail', 'annuler'): 'E E I I E E E E E R',
    ('commandes:detail', 'candidat'): 'E E I I R R R R R R',
    ('commandes:detail', 'cloturer'): 'R R I I R R R R E R',
    ('commandes:detail', 'desister'): 'E E I I R R R R E R',
    ('commandes:detail', 'emettre'): 'E E I I E E E E E R',
    ('commandes:detail', 'emettre_avenant'): 'E I I I E E E E E R',
    ('commandes:detail', 'remplacant'): 'R R I I R R R R E R',
    # ALPHA's module: shared by its staff; a chargé removes only the people he follows.
    ('modules:detail', 'inscrire'): 'E E E I R R R R R R',
    ('modules:detail', 'retirer'): 'E E I I R R R R R R',
    # KAOUMA's parcours: run by her chargé and ALPHA's direction; the DEL reads (its forms are
    # refused on their data before the rule: see tests/prestataires/test_isolation_actions.py).
    ('parcours:detail', 'ajouter_action'): 'E E I I E E E E E R',
    ('parcours:detail', 'attribuer'): 'E E I I E E E E E R',
    ('parcours:detail', 'clore_maintien'): 'E E I I E E E E E R',
    ('parcours:detail', 'contact_maintien'): 'E E I I E E E E E R',
    ('parcours:detail', 'entrer'): 'E E I I E E E E E R',
    ('parcours:detail', 'evaluer'): 'E E I I E E E E E R',
    ('parcours:detail', 'projet'): 'E E I I E E E E E R',
    ('parcours:detail', 'rendez_vous'): 'E E I I E E E E E R',
    ('parcours:detail', 'reprendre'): 'E E I I E E E E E R',
    ('parcours:detail', 'sortir'): 'E E I I E E E E E R',
    ('parcours:detail', 'statut_action'): 'E E I I E E E E E R',
    ('parcours:detail', 'suspendre'): 'E E I I E E E E E R',
    # KAOUMA's stage: as her parcours.
    ('parcours:stage', 'annuler'): 'E E I I E E E E E R',
    ('parcours:stage', 'cocher'): 'E E I I R R R R R R',
    ('parcours:stage', 'demarrer'): 'E E I I R R R R R R',
    ('parcours:stage', 'modifier'): 'E E I I E E E E E R',
    ('parcours:stage', 'terminer'): 'E E I I E E E E E R',
    ('parcours:stage', 'verifier'): 'E E I I E E E E E R',
    ('parcours:stage', 'visite'): 'E E I I E E E E E R',
    # ALPHA's October état: its direction declares, finance reconciles; no chargé reaches it.
    ('remunerations:detail', 'accepter'): 'R R R I R R R R R E',
    ('remunerations:detail', 'declarer'): 'E R R I R R R R R R',
    ('remunerations:detail', 'regulariser'): 'E R R I R R R R R R',
    ('remunerations:detail', 'renvoyer'): 'R R R I R R R R R E',
    ('remunerations:detail', 'soumettre'): 'E R R I R R R R R R',
    # ALPHA's November session: the DEL's; no prestataire reaches it.
    ('seances:detail', 'cloturer'): 'R R R R R R R E R R',
    ('seances:detail', 'decider'): 'R R R R R R R E R R',
    ('seances:detail', 'desinscrire'): 'R R R R R R R R E R',
    ('seances:detail', 'inscrire'): 'R R R R R R R R E R',
    ('seances:detail', 'ouvrir_seance'): 'R R R R E E E E E R',
}  # fmt: skip
