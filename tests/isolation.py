"""What the prestataire-isolation stories share (tests/prestataires/test_isolation*.py,
tests/remunerations/test_isolation*.py): a browser of its own for each user, a POST and the
messages it left, what an action could change, and the two ways an action is refused: to
another prestataire, as if the record did not exist; to the DEL, which reads but does not
write."""

from django.contrib.messages import get_messages
from django.test import Client
from viewflow.workflow.models import Task


def connecte(user) -> Client:
    """A browser of its own for each user: no message left by another's request."""
    client = Client()
    client.force_login(user)
    return client


def envoyer(client, url, donnees):
    """POST, and the error and success messages it left."""
    reponse = client.post(url, donnees)
    messages = list(get_messages(reponse.wsgi_request))
    erreurs = [m.message for m in messages if m.level_tag == "error"]
    succes = [m.message for m in messages if m.level_tag == "success"]
    return reponse, erreurs, succes


def etat_des_tables(*modeles) -> dict:
    """Every row of these tables, and the status and owner of every task."""
    lieux = {modele._meta.label: list(modele.objects.order_by("pk").values()) for modele in modeles}
    lieux["taches"] = list(Task.objects.order_by("pk").values("pk", "status", "owner_id"))
    return lieux


def introuvable_pour(demo, usernames, url, donnees):
    """Each user's POST gets a real 404 (never a 403 that would confirm the record exists),
    and no success message."""
    for username in usernames:
        reponse, _, succes = envoyer(connecte(demo[username]), url, donnees)
        assert (username, reponse.status_code, succes) == (username, 404, [])


def refuse_a(username, reponse, erreurs, succes):
    """Refused to a user who may read: no success; a redirect back with an error message (not
    to the login page), or the page with the form's errors (400), or a 403."""
    assert not succes, (username, succes)
    if reponse.status_code == 302:
        assert erreurs, (username, "redirect without an error message")
        assert "/accounts/login/" not in reponse.url
    else:
        assert reponse.status_code in (400, 403), (username, reponse.status_code)
