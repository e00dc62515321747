"""A wrong link, a forbidden page or a server error shows a French page inside the application
(its title, colours and toolbar), with a way back home, never Django's English pages."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TITRE = "Parcours d'insertion DEL"


def dans_l_application(page, titre):
    """The page is drawn in the application's layout, titled and with the link home."""
    html = page.content.decode()
    assert f"<title>{titre} · {TITRE}</title>" in html
    assert 'class="vf-page"' in html and "mdc-top-app-bar" in html  # viewflow's page
    assert "/static/del.css" in html
    assert "/static/theme.css" in html  # the application's colours, Site or not
    assert '<a class="del-btn del-btn--primary" href="/">Retour à l\'accueil</a>' in html
    assert "Django" not in html
    return html


@pytest.fixture
def gestionnaire(client):
    client.force_login(UserFactory(role=Role.GESTIONNAIRE))
    return client


def test_a_link_to_an_order_that_does_not_exist_says_so_in_french(gestionnaire):
    page = gestionnaire.get("/commandes/999999/")
    assert page.status_code == 404
    html = dans_l_application(page, "Page introuvable")
    assert "<h1>Page introuvable</h1>" in html
    # Inside the Site: its menu and the application's name in the toolbar.
    assert "Mon espace" in html and "Bons de commande" in html


def test_an_unknown_address_says_so_in_french_without_listing_the_urls(client):
    page = client.get("/nulle-part/")
    assert page.status_code == 404
    html = dans_l_application(page, "Page introuvable")
    assert "Page not found" not in html and "urlpatterns" not in html
    # An anonymous visitor is offered the login page.
    assert 'href="/accounts/login/?next=/nulle-part/"' in html


def test_a_conseiller_opening_the_stipends_is_refused_in_french(client):
    client.force_login(UserFactory(role=Role.CONSEILLER))
    page = client.get("/remunerations/")
    assert page.status_code == 403
    html = dans_l_application(page, "Accès refusé")
    assert "Votre rôle ne donne pas accès à cette page." in html
    assert "demandez-le à l'administrateur de la DEL" in html


def test_a_refusal_with_a_reason_shows_the_reason(gestionnaire):
    refus = PermissionDenied("Seule la finance de la DEL rapproche les états.")
    with mock.patch("accueil.views.AccueilView.get", side_effect=refus):
        page = gestionnaire.get("/accueil/")
    assert page.status_code == 403
    html = dans_l_application(page, "Accès refusé")
    assert "Seule la finance de la DEL rapproche les états." in html


def test_a_server_error_shows_a_french_page_drawn_without_the_request(gestionnaire):
    gestionnaire.raise_request_exception = False
    with mock.patch("accueil.views.AccueilView.get", side_effect=RuntimeError("panne")):
        page = gestionnaire.get("/accueil/")
    assert page.status_code == 500
    html = dans_l_application(page, "Erreur du serveur")
    assert "<h1>Une erreur est survenue</h1>" in html
    assert "panne" not in html  # no technical detail for the user
    # Drawn without the request: no menu, no user, no login button (the user may be logged in).
    assert "Applications" not in html and "Connexion" not in html


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
)
def test_a_server_error_still_answers_when_its_page_cannot_be_drawn(gestionnaire):
    """Static files not collected: every page fails, the 500 page included; a plain page
    answers instead."""
    gestionnaire.raise_request_exception = False
    with mock.patch("accueil.views.AccueilView.get", side_effect=RuntimeError("panne")):
        page = gestionnaire.get("/accueil/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "<h1>Une erreur est survenue</h1>" in html
    assert '<a href="/">Retour à l\'accueil</a>' in html


def test_a_form_sent_after_its_security_token_changed_is_refused_in_french():
    navigateur = Client(enforce_csrf_checks=True)
    navigateur.get("/accounts/login/")  # sets the CSRF cookie
    page = navigateur.post(
        "/accounts/login/",
        {"username": "x", "password": "y", "csrfmiddlewaretoken": "perime" * 6},
    )
    assert page.status_code == 403
    html = dans_l_application(page, "Formulaire expiré")
    assert "Rien n'a été enregistré." in html
