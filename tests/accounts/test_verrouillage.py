"""Guessing a password: a (username, address) is locked out after repeated failures."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory

MOT_DE_PASSE = "un-mot-de-passe-solide-2026"


@pytest.fixture
def conseiller(db):
    user = UserFactory(username="claire", role=Role.CONSEILLER)
    user.set_password(MOT_DE_PASSE)
    user.save()
    return user


def se_connecter(client, mot_de_passe, identifiant="claire", adresse="10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": identifiant, "password": mot_de_passe},
        REMOTE_ADDR=adresse,
    )


def echouer(client, fois, **kwargs):
    """`fois` wrong passwords: the last one of the limit is answered by the lockout."""
    for essai in range(1, fois + 1):
        attendu = 429 if essai >= settings.AXES_FAILURE_LIMIT else 200
        assert se_connecter(client, "mauvais", **kwargs).status_code == attendu


def test_after_the_failure_limit_the_right_password_is_refused_with_the_reason(client, conseiller):
    echouer(client, settings.AXES_FAILURE_LIMIT)
    page = se_connecter(client, MOT_DE_PASSE)
    html = page.content.decode()
    assert page.status_code == 429
    assert "Trop d&#x27;échecs de connexion pour l&#x27;identifiant « claire »" in html
    assert "bloquée pendant 30 minutes" in html
    assert "demandez à l&#x27;administrateur de la DEL de la débloquer" in html
    assert 'value="claire"' in html  # on the login page, the username kept
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_one_username_from_one_address_only(client, conseiller):
    echouer(client, settings.AXES_FAILURE_LIMIT)
    assert se_connecter(client, MOT_DE_PASSE).status_code == 429
    assert se_connecter(client, MOT_DE_PASSE, adresse="10.0.0.2").status_code == 302
    client.logout()
    autre = UserFactory(username="paul", role=Role.FINANCE)
    autre.set_password(MOT_DE_PASSE)
    autre.save()
    assert se_connecter(client, MOT_DE_PASSE, identifiant="paul").status_code == 302


def test_the_lockout_ends_after_the_cooldown(client, conseiller):
    echouer(client, settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(timezone.now() + timedelta(minutes=29), tick=False):
        assert se_connecter(client, MOT_DE_PASSE).status_code == 429
    # Each try during the lockout started it again: 30 minutes from the last one.
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 31), tick=False):
        assert se_connecter(client, MOT_DE_PASSE).status_code == 302


def test_a_successful_login_clears_the_failures(client, conseiller):
    echouer(client, settings.AXES_FAILURE_LIMIT - 1)
    assert se_connecter(client, MOT_DE_PASSE).status_code == 302
    client.logout()
    echouer(client, settings.AXES_FAILURE_LIMIT - 1)
    assert se_connecter(client, MOT_DE_PASSE).status_code == 302


def test_the_administrateur_unlocks_from_the_admin(client, conseiller, demo):
    echouer(client, settings.AXES_FAILURE_LIMIT)
    tentative = AccessAttempt.objects.get(username="claire")

    admin = client.__class__()
    admin.force_login(demo["admin"])
    liste = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert liste.status_code == 200 and "claire" in liste.content.decode()
    suppression = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[tentative.pk]), {"post": "yes"}
    )
    assert suppression.status_code == 302

    assert se_connecter(client, MOT_DE_PASSE).status_code == 302


def test_the_admin_login_page_is_locked_out_too(client, conseiller):
    conseiller.is_staff = True
    conseiller.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "claire", "password": "mauvais"},
            REMOTE_ADDR="10.0.0.1",
        )
    page = client.post(
        reverse("admin:login"),
        {"username": "claire", "password": MOT_DE_PASSE},
        REMOTE_ADDR="10.0.0.1",
    )
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session
