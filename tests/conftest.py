from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User


@pytest.fixture
def demo(db):
    """The demo data of `seed_demo` (CONTRACTS.md §1): users of every role, prescriptions."""
    call_command("seed_demo", stdout=StringIO())
    return {user.username: user for user in User.objects.all()}


@pytest.fixture(autouse=True)
def _mail_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
