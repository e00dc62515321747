"""What a screen reader and a low-vision user need of the application's shell (issue 18, item
9): the login pages' landmark and heading, viewflow's pages in readable colours, its lists'
pagination as a French navigation. axe-core checks the pages themselves in the browser tests."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("adresse", "titre"), [("login", "Connexion"), ("password_reset", "Mot de passe oublié")]
)
def test_the_pages_around_the_login_have_a_main_region_under_an_h1(client, db, adresse, titre):
    html = client.get(reverse(adresse)).content.decode()

    main = re.search(r"<main\b[^>]*>(.*)</main>", html, re.S)
    assert main, "no main landmark"
    assert re.search(rf"<h1\b[^>]*>\s*{titre}\s*</h1>", main.group(1))
    assert '<input type="hidden" name="csrfmiddlewaretoken"' in main.group(1)
    assert html.count("<h1") == 1


def luminance(couleur):
    canaux = [int(couleur[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lineaires = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in canaux]
    return 0.2126 * lineaires[0] + 0.7152 * lineaires[1] + 0.0722 * lineaires[2]


def contraste_sur_blanc(couleur):
    return 1.05 / (luminance(couleur) + 0.05)


def test_viewflow_s_pale_labels_are_given_a_colour_readable_on_white():
    """viewflow draws its dashboards' labels in #9e9e9e and a task's "no previous task" in
    grey: 2.7:1 and 3.9:1 on white, where WCAG AA asks 4.5:1."""
    css = Path(finders.find("theme.css")).read_text(encoding="utf-8")

    regle = re.search(
        r"\.vf-dashboard \.vf-dashboard__card-detail > label,\s*"
        r'\.vf-page__content \[style="color:grey"\] \{ color: (#[0-9a-f]{6}) !important; \}',
        css,
    )
    assert regle
    assert contraste_sur_blanc(regle.group(1)) >= 4.5
    assert contraste_sur_blanc("#9e9e9e") < 4.5  # what it replaces


def test_viewflow_s_list_pagination_is_a_french_navigation_of_labelled_links():
    page = Paginator(range(45), 20).page(2)

    html = render_to_string(
        "viewflow/includes/list_pagination.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "view": type("V", (), {"page_kwarg": "page"}),
        },
        request=RequestFactory().get("/"),
    )

    assert "21-40 sur 45" in html
    assert '<nav aria-label="Pages de la liste">' in html
    assert 'role="navigation"' not in html  # a list may not take that role
    assert 'aria-label="Page précédente"' in html and 'aria-label="Page suivante"' in html


def test_the_page_s_menu_and_its_buttons_are_named_in_french(client, db):
    client.force_login(UserFactory(role=Role.CONSEILLER))

    page = client.get(reverse("travaux:index")).content.decode()

    assert '<nav class="mdc-drawer__content" aria-label="Menu principal">' in page
    assert 'aria-label="Afficher ou masquer le menu"' in page
    assert 'aria-label="Menu du compte"' in page
    assert "Open navigation menu" not in page
