"""What every test may ask for: the demo data, built once per module and rolled back to after
each test, and PDFs laid out by WeasyPrint only for the tests that read them back.

The demo (`seed_demo`, docs/contrats.md §1) costs about 2 000 queries: building it for each of
nine hundred tests was most of the suite's time. A module's tests now share one build: it is
written inside a transaction that stays open while the module runs, each test runs in a
savepoint inside it (pytest-django's `db`), and the transaction is rolled back when the
module ends, leaving the database as the migrations made it for the next module. Every module
seeds it at the same moment, DEMO_SEMEE_LE: the tests move the clock from there.
"""

import hashlib
from contextlib import contextmanager
from datetime import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from tests.navigateur.rapport import pytest_terminal_summary  # noqa: F401 (the run's last line)

NOUMEA = ZoneInfo("Pacific/Noumea")
# The week the demo tells of: ALPHA's summer session runs (its August and September stipends
# reconciled, October declared), its November order waits for KAOUMA's entry (acknowledged on
# 12/11), an avenant waits for ALPHA's acknowledgement.
DEMO_SEMEE_LE = datetime(2026, 11, 24, 9, tzinfo=NOUMEA)


def semer_la_demo() -> list:
    """Run `seed_demo` at DEMO_SEMEE_LE; returns the e-mails it sent."""
    envoyes = len(mail.outbox)
    with time_machine.travel(DEMO_SEMEE_LE, tick=False), sans_mise_en_page():
        call_command("seed_demo", stdout=StringIO())
    return mail.outbox[envoyes:]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests that commit (transactional, live server: the browser journeys) run last, as
    pytest-django orders them: pytest then regroups the tests sharing pytest-playwright's
    session-wide browser parameter, which brought the journeys back among the others. The
    database is emptied after each of them, referential rows included: a test after one on the
    same worker found no lot."""

    def valide(item) -> bool:
        marque = item.get_closest_marker("django_db")
        return bool(marque and marque.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )

    items.sort(key=valide)


@pytest.fixture(scope="module")
def _demo_du_module(django_db_setup, django_db_blocker):
    """The demo data, written once for the module in a transaction that its end rolls back."""
    with django_db_blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
        try:
            courriels = semer_la_demo()
        except BaseException:
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
            raise
    yield courriels
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


def utilisateurs_de_la_demo() -> dict:
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def demo(_demo_du_module, db):
    """The demo data of `seed_demo` (docs/contrats.md §1): users of every role, prescriptions.
    The test starts with the e-mails the seed sent in its outbox, as when each test seeded."""
    mail.outbox.extend(_demo_du_module)
    return utilisateurs_de_la_demo()


@pytest.fixture
def demo_hors_transaction(transactional_db):
    """The demo data committed, for the tests whose threads each open their own transaction
    (they cannot see a savepoint). pytest-django runs these tests after all the others and
    empties the database after each."""
    mail.outbox.extend(semer_la_demo())
    return utilisateurs_de_la_demo()


class _HTMLSansMiseEnPage:
    """Stands for WeasyPrint's `HTML` in the tests that do not read a PDF back: the template is
    still rendered (its errors still show), but not laid out, which costs about half a second
    a document. The bytes differ when the HTML differs, as real PDFs would."""

    def __init__(self, string, base_url=None):
        self.html = string

    def write_pdf(self):
        empreinte = hashlib.sha256(self.html.encode()).hexdigest()
        return f"%PDF-1.7\n% PDF de test sans mise en page {empreinte}\n%%EOF\n".encode()


@contextmanager
def sans_mise_en_page():
    with mock.patch("documents.pdf.HTML", _HTMLSansMiseEnPage):
        yield


@pytest.fixture(autouse=True)
def _pdf(request):
    """Real PDFs only for the tests marked `pdf`, which read them back."""
    if request.node.get_closest_marker("pdf"):
        yield
    else:
        with sans_mise_en_page():
            yield


@pytest.fixture(autouse=True)
def _mail_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
