"""The journeys in a real browser: Debian's Chromium driven by pytest-playwright against the
live server of pytest-django, on the demo data committed for each test.

Without Chromium the journeys are skipped, and the run says how many on one line
(tests/navigateur/rapport.py). Playwright's sync API keeps an event loop running as long as it is
started: Django refuses database work under a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is
set. The loop (and the browser) live for one module only, and the variable with them, so that
the other tests of the same xdist worker keep Django's guard.
"""

import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from tests.conftest import NOUMEA
from tests.navigateur.etapes import Navigateur, Releve
from tests.navigateur.rapport import RAISON

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The journeys' day: after the week the demo tells of (seeded on 24/11/2026), before the
# deadlines it leaves open. The server's clock and the test's are both there, and tick.
LE_JOUR = datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA)


def pytest_collection_modifyitems(config, items):
    ici = Path(__file__).parent
    for item in items:
        if ici in Path(item.fspath).parents:
            item.add_marker(pytest.mark.navigateur)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{RAISON} ({CHROMIUM}) : parcours dans le navigateur non joués "
                        "(apt-get install chromium)"
                    )
                )


@pytest.fixture(scope="module")
def playwright():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="module")
def browser_type(playwright):
    return playwright.chromium


@pytest.fixture(scope="module")
def launch_browser(browser_type):
    def lancer(**options):
        return browser_type.launch(executable_path=str(CHROMIUM), **options)

    return lancer


@pytest.fixture(scope="module")
def browser(launch_browser):
    chromium = launch_browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def browser_context_args():
    return {"locale": "fr-FR", "timezone_id": "Pacific/Noumea", "accept_downloads": True}


@pytest.fixture
def releve():
    """What the journey's pages break: axe-core's critical and serious violations and the
    overflow at 390 px, gathered over the whole journey; the journey reports them all at its
    end: none is tolerated."""
    constats = Releve()
    yield constats
    constats.verifier()


@pytest.fixture
def navigateur(demo_hors_transaction, live_server, new_context, releve):
    """A browser on the live server, its clock and the server's on LE_JOUR, the demo
    committed; `navigateur.connecter("alpha1")` opens a fresh session for that user, and
    `navigateur.horloge.move_to(...)` moves both clocks."""
    with time_machine.travel(LE_JOUR, tick=True) as horloge:
        yield Navigateur(live_server.url, new_context, releve, horloge)
