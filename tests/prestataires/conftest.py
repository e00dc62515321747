from datetime import date, datetime

import pytest
import time_machine
from django.contrib.messages import get_messages

from bons_de_commande import services as commandes
from prestataires.models import Parcours
from procurement import services as procurement_services
from procurement.enums import Decision
from procurement.models import Lot, Prescription, Prestataire, SessionCommission
from tests.conftest import NOUMEA


def a(jour: str, heure: int = 9):
    """A frozen clock on that day (YYYY-MM-DD), Nouméa time."""
    return time_machine.travel(
        datetime.fromisoformat(jour).replace(hour=heure, tzinfo=NOUMEA), tick=False
    )


@pytest.fixture(autouse=True)
def _sessions_longues(settings):
    """The stories below move the clock over months: a login must outlive them."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


@pytest.fixture
def kaouma(demo):
    """KAOUMA's parcours at ALPHA: 6 months validated, waiting for entry, followed by
    alpha2."""
    return Parcours.objects.get(demandeur__nom="KAOUMA")


@pytest.fixture
def parcours_lot2(demo):
    """LEROUX, recognised by the CRHD, ordered to GAMMA (lot 2)."""
    gestionnaire, commission = demo["gestionnaire1"], demo["commission1"]
    with a("2026-11-12", heure=11):
        session = procurement_services.ouvrir_session(
            SessionCommission(date_seance=date(2026, 11, 12), lot=Lot.objects.get(numero=2),
                              prestataire=Prestataire.objects.get(code="GAMMA")),
            par=gestionnaire, membres_del=[commission],
        )  # fmt: skip
        procurement_services.inscrire(
            session, [Prescription.objects.get(demandeur__nom="LEROUX")], par=gestionnaire
        )
        procurement_services.ouvrir_seance(session, par=gestionnaire)
        procurement_services.decider(session.passages.get(), par=commission,
                                     decision=Decision.VALIDEE, duree_mois=None,
                                     commentaire="")  # fmt: skip
        bon = procurement_services.cloturer_seance(session, par=commission)
        commandes.emettre(bon, par=gestionnaire)
        commandes.accuser(bon, par=demo["gamma1"])
    return Parcours.objects.get(demandeur__nom="LEROUX")


def poster(client, url, **donnees):
    """POST as a user would; the action must succeed (redirect, no error message)."""
    reponse = client.post(url, donnees)
    erreurs = [m.message for m in get_messages(reponse.wsgi_request) if m.level_tag == "error"]
    assert reponse.status_code == 302, (reponse.status_code, erreurs, _erreurs_de(reponse))
    assert "/accounts/login/" not in reponse.url
    assert not erreurs
    return reponse


def refuse(client, url, **donnees) -> str:
    """POST that must be refused: the page comes back with the message where it was typed,
    or the error message after a redirect. Returns the page's or messages' text."""
    reponse = client.post(url, donnees)
    if reponse.status_code == 400:
        return reponse.content.decode()
    messages = [m.message for m in get_messages(reponse.wsgi_request) if m.level_tag == "error"]
    assert messages, f"the action was not refused ({reponse.status_code})"
    return " ".join(messages)


def _erreurs_de(reponse):
    forms = (reponse.context or {}).get("forms") if reponse.status_code == 400 else None
    return {cle: form.errors for cle, form in (forms or {}).items() if form.errors}
