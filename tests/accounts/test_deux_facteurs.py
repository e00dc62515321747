"""Two-factor authentication: required (as in production) for DEL staff and a prestataire's
direction; enrolment with a QR code and recovery codes; a code at each login."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.deux_facteurs import enroler_sans_qr_code

pytestmark = pytest.mark.usefixtures("deux_facteurs_obligatoires")
ACCUEIL = reverse("accueil:index")


@pytest.fixture
def deux_facteurs_obligatoires():
    with override_settings(DEUX_FACTEURS_OBLIGATOIRE=True):
        yield


def plus_tard():
    """A wrong code slows the device down (django-otp's throttling: 1 s, then 2, 4...)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False)


def code_de(appareil):
    appareil.refresh_from_db()
    return f"{totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits):06d}"


def test_a_del_user_without_a_device_enrols_and_gets_recovery_codes(client, demo):
    client.force_login(demo["gestionnaire1"])
    accueil = client.get(ACCUEIL)
    assert accueil.status_code == 302
    assert accueil.url.startswith(reverse("deux_facteurs_enroler"))

    page = client.get(reverse("deux_facteurs_enroler"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Scannez ce code" in html
    appareil = TOTPDevice.objects.get(user=demo["gestionnaire1"])
    assert not appareil.confirmed
    # Reloading the page shows the same key, the one already scanned.
    assert client.get(reverse("deux_facteurs_enroler")).context["cle"] == page.context["cle"]

    faux = client.post(reverse("deux_facteurs_enroler"), {"code": "000000"})
    assert faux.status_code == 200
    assert "Code incorrect" in faux.content.decode()
    appareil.refresh_from_db()
    assert not appareil.confirmed and client.get(ACCUEIL).status_code == 302

    with plus_tard():
        active = client.post(reverse("deux_facteurs_enroler"), {"code": code_de(appareil)})
    assert active.status_code == 302 and active.url == reverse("deux_facteurs_codes")
    codes = client.get(active.url)
    assert "La vérification en deux étapes est activée" in codes.content.decode()
    assert len(codes.context["codes"]) == 10
    appareil.refresh_from_db()
    assert appareil.confirmed
    assert client.get(ACCUEIL).status_code == 200
    # Shown once only.
    assert client.get(reverse("deux_facteurs_codes")).status_code == 302


def test_an_enrolled_user_gives_a_code_after_the_password(client, demo):
    appareil = enroler_sans_qr_code(demo["alpha1"])  # a prestataire's direction
    client.force_login(demo["alpha1"])
    suivi = client.get(ACCUEIL)
    assert suivi.url == f"{reverse('deux_facteurs_verifier')}?next={ACCUEIL}"

    faux = client.post(suivi.url, {"code": "123456"})
    assert "Code incorrect ou expiré" in faux.content.decode()
    assert client.get(ACCUEIL).status_code == 302

    with plus_tard():
        bon = client.post(suivi.url, {"code": code_de(appareil)})
    assert bon.status_code == 302 and bon.url == ACCUEIL
    assert client.get(ACCUEIL).status_code == 200


def test_a_recovery_code_works_once(client, demo):
    client.force_login(demo["finance1"])
    appareil = TOTPDevice.objects.create(user=demo["finance1"], name="app", confirmed=False)
    client.post(reverse("deux_facteurs_enroler"), {"code": code_de(appareil)})
    code_de_secours = client.get(reverse("deux_facteurs_codes")).context["codes"][0]
    client.logout()

    client.force_login(demo["finance1"])
    assert client.post(reverse("deux_facteurs_verifier"), {"code": code_de_secours}).url == "/"
    assert client.get(ACCUEIL).status_code == 200
    client.logout()
    client.force_login(demo["finance1"])
    reutilise = client.post(reverse("deux_facteurs_verifier"), {"code": code_de_secours})
    assert "Code incorrect ou expiré" in reutilise.content.decode()
    assert StaticToken.objects.filter(device__user=demo["finance1"]).count() == 9


def test_knowing_the_password_of_an_enrolled_user_does_not_enrol_another_phone(client, demo):
    appareil = enroler_sans_qr_code(demo["admin"])
    client.force_login(demo["admin"])
    assert client.get(reverse("deux_facteurs_enroler")).url == reverse("deux_facteurs_verifier")
    assert list(TOTPDevice.objects.filter(user=demo["admin"])) == [appareil]
    # Nor does the admin site open without the code.
    assert client.get("/admin/").status_code == 302


def test_a_charge_d_insertion_is_not_asked_for_a_second_factor(client, demo):
    client.force_login(demo["alpha2"])
    assert client.get(ACCUEIL).status_code == 200


@override_settings(DEUX_FACTEURS_OBLIGATOIRE=False)
def test_the_local_demo_does_not_ask_for_it(client, demo):
    client.force_login(demo["gestionnaire1"])
    assert client.get(ACCUEIL).status_code == 200


def test_enroler_totp_gives_a_key_the_login_accepts(client, demo):
    sortie = StringIO()
    call_command("enroler_totp", "ts1", stdout=sortie)
    nom, cle = sortie.getvalue().split()
    appareil = TOTPDevice.objects.get(user=demo["ts1"], confirmed=True)
    assert nom == "ts1" and len(cle) == 32
    client.force_login(demo["ts1"])
    assert client.post(reverse("deux_facteurs_verifier"), {"code": code_de(appareil)}).url == "/"


def test_through_the_login_form_the_password_then_the_code_open_the_home_page(client, demo):
    appareil = enroler_sans_qr_code(demo["conseiller1"])
    connexion = client.post(
        reverse("login"), {"username": "conseiller1", "password": "demo-parcours-2026"}
    )
    assert connexion.status_code == 302
    verification = client.get(connexion.url, follow=True)
    assert verification.request["PATH_INFO"] == reverse("deux_facteurs_verifier")
    chemin = verification.request["PATH_INFO"] + "?" + verification.request["QUERY_STRING"]
    code = client.post(chemin, {"code": code_de(appareil)})
    assert code.status_code == 302
    accueil = client.get(code.url, follow=True)
    assert accueil.request["PATH_INFO"] == ACCUEIL
    assert "Bonjour Claire" in accueil.content.decode()
