"""Second factor (django-otp): a TOTP application enrolled by the user, and single-use recovery
codes for the day the phone is lost. One function per action; the views only call them."""

import secrets
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

NOM_APPLICATION = "Application d'authentification"
NOM_CODES_DE_SECOURS = "Codes de secours"
NOMBRE_DE_CODES_DE_SECOURS = 10


def a_un_appareil_confirme(user) -> bool:
    """An enrolled application, or recovery codes left: the login page asks for a code."""
    return django_otp.user_has_device(user, confirmed=True)


def appareil_a_enroler(user) -> TOTPDevice:
    """The key the enrolment page shows: the same one until it is confirmed, so that reloading
    the page does not change the QR code already scanned."""
    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return appareil or TOTPDevice.objects.create(user=user, name=NOM_APPLICATION, confirmed=False)


def cle_en_base32(appareil: TOTPDevice) -> str:
    """The key as an application asks for it when typed instead of scanned."""
    return b32encode(appareil.bin_key).decode()


def qr_code_svg(appareil: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code (paths only: no style, no script)."""
    image = qrcode.make(appareil.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirmer_enrolement(request, appareil: TOTPDevice, code: str) -> list[str] | None:
    """The first code from the application proves the key was copied: the device is confirmed,
    the session counts as verified, and fresh recovery codes replace any older ones. Returns the
    codes (shown once), or None when the code is wrong and nothing changed."""
    if not appareil.verify_token(code):
        return None
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    # A new phone replaces the former one (and any key left unconfirmed).
    TOTPDevice.objects.filter(user=appareil.user).exclude(pk=appareil.pk).delete()
    codes = regenerer_codes_de_secours(appareil.user)
    django_otp.login(request, appareil)
    return codes


def regenerer_codes_de_secours(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    codes_de_secours = StaticDevice.objects.create(
        user=user, name=NOM_CODES_DE_SECOURS, confirmed=True
    )
    codes = [secrets.token_hex(5) for _ in range(NOMBRE_DE_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create(
        StaticToken(device=codes_de_secours, token=code) for code in codes
    )
    return codes


def verifier_code(request, code: str) -> bool:
    """A code from the application (six digits) or a recovery code (used up) confirms the
    login. Each kind is tried on its own device only, whose throttling slows down guessing."""
    code = code.strip().replace(" ", "")
    modele = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for appareil in modele.objects.filter(user=request.user, confirmed=True):
        if appareil.verify_token(code):
            django_otp.login(request, appareil)
            return True
    return False


@transaction.atomic
def enroler_sans_qr_code(user) -> TOTPDevice:
    """For the operator (manage.py enroler_totp): a confirmed application key created on the
    server, to hand over out of band. It replaces the user's former application."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=NOM_APPLICATION, confirmed=True)
