"""Every role's access to every page: a new URL that is not listed here fails the test."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.urlmatrix import all_url_names, demo_objects

USERS = [
    "admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1", "finance1",
    "alpha1", "beta1", "gamma1",
]  # fmt: skip
DEL_READERS = {"admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1"}
CONSEILLERS = {"conseiller1", "conseiller2"}


def only(allowed, ok=200, other=403):
    return lambda username: ok if username in allowed else other


# Expected status for a GET by each user; anonymous visitors are always sent to the login page.
EVERYONE = only(set(USERS))
DEL_READ = only(DEL_READERS)
DEL_READ_REDIRECT = only(DEL_READERS, ok=302)  # viewflow's task index redirects to its detail
CONSEILLER_WRITE = only(CONSEILLERS)
NOBODY = only(set())  # undo, revive, cancel: need the flow's manage permission, held by no role

MATRIX = {
    "index": lambda username: 302,
    "accueil:index": EVERYONE,
    "accueil:notification_lue": lambda username: 405,  # POST only
    "demandeurs:index": DEL_READ,
    "demandeurs:detail": DEL_READ,
    "demandeurs:add": CONSEILLER_WRITE,
    "demandeurs:change": CONSEILLER_WRITE,
    "prescriptions:index": DEL_READ,
    "prescriptions:detail": DEL_READ,
    "prescription:index": DEL_READ,
    "prescription:inbox": DEL_READ,
    "prescription:queue": DEL_READ,
    "prescription:archive": DEL_READ,
    "prescription:process_list": DEL_READ,
    "prescription:process_detail": DEL_READ,
    "prescription:process_chart": DEL_READ,
    "prescription:chart": DEL_READ,
    "prescription:task_list": DEL_READ,
    "prescription:process_cancel": NOBODY,
    "prescription:tasks_assign": DEL_READ_REDIRECT,
    "prescription:tasks_unassign": DEL_READ_REDIRECT,
    "prescription:prescrire:execute": CONSEILLER_WRITE,
    "prescription:prescrire:index": DEL_READ_REDIRECT,
    "prescription:prescrire:detail": DEL_READ,
    "prescription:prescrire:undo": NOBODY,
    # The conseiller's draft is conseiller1's task: only they may act on it.
    "prescription:completer:execute": only({"conseiller1"}),
    "prescription:completer:unassign": only({"conseiller1"}),
    "prescription:completer:assign": NOBODY,  # already assigned
    "prescription:completer:index": DEL_READ_REDIRECT,
    "prescription:completer:detail": DEL_READ,
    "prescription:completer:cancel": NOBODY,
    "prescription:completer:undo": NOBODY,
    "prescription:completer:revive": NOBODY,
    # The binôme's co-signature is ts1's task: only they may act on it.
    "prescription:cosigner:execute": only({"ts1"}),
    "prescription:cosigner:unassign": only({"ts1"}),
    "prescription:cosigner:assign": NOBODY,
    "prescription:cosigner:index": DEL_READ_REDIRECT,
    "prescription:cosigner:detail": DEL_READ,
    "prescription:cosigner:cancel": NOBODY,
    "prescription:cosigner:undo": NOBODY,
    "prescription:cosigner:revive": NOBODY,
    "prescription:cosigner__timeout:index": DEL_READ_REDIRECT,
    "prescription:cosigner__timeout:detail": DEL_READ,
    "prescription:cosigner__timeout:cancel": NOBODY,
    **{
        f"prescription:{node}:{action}": expected
        for node in ("aiguiller", "rappeler_cosignature", "rappel_envoye", "soumise", "retiree")
        for action, expected in (
            ("index", DEL_READ_REDIRECT),
            ("detail", DEL_READ),
            ("undo", NOBODY),
            ("revive", NOBODY),
        )
    },
    "prescription:aiguiller:cancel": NOBODY,
    "prescription:rappeler_cosignature:cancel": NOBODY,
}


def url_for(name, objects):
    parts = name.split(":")
    if name == "prescription:prescrire:execute":
        return f"{reverse(name)}?demandeur={objects['demandeur'].pk}"
    if parts[0] == "prescription" and len(parts) == 3:
        task = objects["tasks"].get(parts[1], objects["tasks"]["aiguiller"])
        return reverse(name, args=[task.process_id, task.pk])
    if name in ("demandeurs:detail", "demandeurs:change"):
        return reverse(name, args=[objects["demandeur"].pk])
    if name == "prescriptions:detail":
        return reverse(name, args=[objects["prescription"].pk])
    if name in ("prescription:process_detail", "prescription:process_cancel",
                "prescription:process_chart"):  # fmt: skip
        return reverse(name, args=[objects["prescription"].process_id])
    if name == "accueil:notification_lue":
        return reverse(name, args=[1])
    return reverse(name)


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - MATRIX.keys()
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"
    assert not MATRIX.keys() - all_url_names(), "The matrix lists URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_by_role(demo, name):
    url = url_for(name, demo_objects())
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (
        f"anonymous visitor on {url}"
    )
    got = {}
    for username in USERS:
        client = Client()
        client.force_login(demo[username])
        got[username] = client.get(url).status_code
    expected = {username: MATRIX[name](username) for username in USERS}
    assert got == expected, url
