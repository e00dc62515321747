"""What a record's page offers each user, read on the page as they see it: its action
buttons, and among them the state changes django-fsm makes available to them now."""

import re

from django.test import Client


def boutons(demo, username, record) -> set[str] | None:
    """The actions the record's page offers the user (None: they do not see it)."""
    client = Client()
    client.force_login(demo[username])
    reponse = client.get(record.get_absolute_url())
    if reponse.status_code == 404:
        return None
    return set(re.findall(r'name="action" value="(\w+)"', reponse.content.decode()))


def verifier_les_offres(demo, record, vue, utilisateurs, **attendu):
    """Each of `utilisateurs` is offered `attendu[username]` (nothing if absent; None: the
    record does not exist for them), which holds exactly the page's transitions (`vue`: its
    DetailView) available to them on the record now."""
    record.refresh_from_db()
    for username in utilisateurs:
        offertes = boutons(demo, username, record)
        assert offertes == attendu.get(username, set()), (record.etat, username)
        if offertes is not None:
            disponibles = {
                t.name for t in record.get_available_user_etat_transitions(demo[username])
            }
            permises = {a for a, t in vue.transitions.items() if t in disponibles}
            assert offertes & set(vue.transitions) == permises, (record.etat, username)
