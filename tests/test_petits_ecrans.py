"""Phones (a chargé d'insertion in the field, 390 px): every page of the layout carries the
stylesheet that stacks a table's cells and the script that names each cell after its column
(issue 18, item 6). The browser tests measure the pages themselves."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PrestataireFactory, UserFactory


def test_every_page_of_the_layout_loads_the_script_that_names_table_cells(client, db):
    client.force_login(UserFactory(role=Role.PRESTATAIRE_CHARGE, prestataire=PrestataireFactory()))

    page = client.get(reverse("parcours:index")).content.decode()

    tete = page.split("</head>")[0]
    assert '<link rel="stylesheet" href="/static/del.css">' in tete
    assert '<script src="/static/tableaux.js" defer></script>' in tete


def test_the_script_names_cells_after_their_column_and_runs_after_each_turbo_visit():
    script = Path(finders.find("tableaux.js")).read_text(encoding="utf-8")

    assert 'setAttribute("data-label"' in script
    assert 'addEventListener("turbo:load"' in script


def test_on_a_narrow_screen_a_table_becomes_a_stack_of_named_cells():
    css = Path(finders.find("del.css")).read_text(encoding="utf-8")

    etroit = re.search(r"@media \(max-width: 640px\) \{(.*)\n\}", css, re.S).group(1)
    assert re.search(r"\.del-table tr, \.del-table th, \.del-table td \{ display: block;", etroit)
    assert "content: attr(data-label)" in etroit
    # The page's flex body shrinks to the screen instead of growing to its widest table.
    assert ".vf-page__body { min-width: 0; }" in css
