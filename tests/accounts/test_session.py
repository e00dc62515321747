"""A session ends after an idle hour, and ten hours after the login however active."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.settings import base

ACCUEIL = reverse("accueil:index")
# The durations of config/settings/base.py (the test settings lengthen them).
pytestmark = pytest.mark.usefixtures("durees_de_production")


@pytest.fixture
def durees_de_production():
    with override_settings(
        SESSION_COOKIE_AGE=3600, SESSION_DUREE_MAXIMALE=36000, SESSION_SAVE_EVERY_REQUEST=True
    ):
        yield


@pytest.fixture(autouse=True)
def limites_de_production(settings):
    """The test settings let sessions outlive the suite's time travels; these tests put back
    the limits every other settings module has (an idle hour, ten hours in all)."""
    settings.SESSION_COOKIE_AGE = base.SESSION_COOKIE_AGE
    settings.SESSION_DUREE_MAXIMALE = base.SESSION_DUREE_MAXIMALE


def test_the_limits_are_an_idle_hour_and_ten_hours_unless_configured():
    assert (base.SESSION_COOKIE_AGE, base.SESSION_DUREE_MAXIMALE) == (3600, 36000)


def test_a_session_ends_after_an_idle_hour_and_each_request_renews_it(client, demo):
    debut = timezone.now()
    with time_machine.travel(debut, tick=False) as horloge:
        client.force_login(demo["conseiller1"])
        horloge.shift(timedelta(minutes=59))
        assert client.get(ACCUEIL).status_code == 200
        horloge.shift(timedelta(minutes=59))
        assert client.get(ACCUEIL).status_code == 200
        horloge.shift(timedelta(minutes=61))
        fin = client.get(ACCUEIL)
    assert fin.status_code == 302 and fin.url.startswith(reverse("login"))


def test_a_session_ends_ten_hours_after_the_login_however_active(client, demo):
    debut = timezone.now()
    with time_machine.travel(debut, tick=False) as horloge:
        client.force_login(demo["conseiller1"])
        for _ in range(11):
            horloge.shift(timedelta(minutes=50))
            assert client.get(ACCUEIL).status_code == 200
        horloge.shift(timedelta(minutes=50, seconds=1))  # 10 h and 1 s after the login
        fin = client.get(ACCUEIL)
        assert fin.status_code == 302 and fin.url.startswith(reverse("login"))
        page = client.get(fin.url)
    assert "Votre session a expiré : reconnectez-vous." in page.content.decode()
    assert "_auth_user_id" not in client.session
