"""Content-Security-Policy: no 'unsafe-inline'; no page carries an inline script, style or event
handler the policy would refuse (a refused one breaks the page in the browser)."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config.csp import empreinte_barre_de_progression_turbo

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The indicators' page draws its SVG charts for a period.
GRAPHIQUES = {"du": "2025-01-01", "au": "2026-12-31"}
DIRECTIVES = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]


def empreinte(texte):
    return f"'sha256-{base64.b64encode(hashlib.sha256(texte.encode()).digest()).decode()}'"


class Inline(HTMLParser):
    """What a page carries inline: style= attributes, on*= handlers, <style> and <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.styles, self.handlers, self.elements, self.scripts = [], [], [], []
        self._dans = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles.append(attrs["style"])
        self.handlers += [v for k, v in attrs.items() if k.startswith("on")]
        if tag == "style" or (tag == "script" and "src" not in attrs):
            self._dans = (tag, attrs.get("type", ""))

    def handle_data(self, data):
        if self._dans and self._dans[0] == "style":
            self.elements.append(data)
        elif self._dans and self._dans[1] not in ("application/json", "application/ld+json"):
            self.scripts.append(data)

    def handle_endtag(self, tag):
        if self._dans and tag == self._dans[0]:
            self._dans = None


def refuse(page_html):
    """What the policy would refuse on the page."""
    inline = Inline()
    inline.feed(page_html)
    return (
        [s for s in inline.styles if empreinte(s) not in DIRECTIVES["style-src-attr"]]
        + [h for h in inline.handlers if empreinte(h) not in DIRECTIVES["script-src-attr"]]
        + [e for e in inline.elements if empreinte(e) not in DIRECTIVES["style-src"]]
        + inline.scripts
    )


def test_the_policy_allows_nothing_inline_but_viewflow_s_fixed_attributes(client, db):
    politique = client.get(reverse("login"))["Content-Security-Policy"]
    assert "unsafe-inline" not in politique and "unsafe-eval" not in politique
    assert "default-src 'self'" in politique and "frame-ancestors 'none'" in politique
    directives = {
        directive.split()[0]: directive.split()[1:]
        for directive in politique.split(";")
        if directive.strip()
    }
    # No nonce asked for: no inline script at all (the directives come in any order).
    assert directives["script-src"] == ["'self'"]


def test_turbo_s_progress_bar_style_is_allowed_by_its_hash():
    """The hash Chromium reported for the <style> Turbo 7 inserts (viewflow 2.4.0)."""
    assert empreinte_barre_de_progression_turbo() == [
        "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='"
    ]
    assert empreinte_barre_de_progression_turbo()[0] in DIRECTIVES["style-src"]


def test_our_templates_have_no_inline_script_style_or_handler():
    """A script comes from a static file (`<script src=…>`, allowed by 'self'), never inline."""
    motifs = (" style=", "<style", " onclick=", " onchange=", " onsubmit=")
    trouves = [
        f"{fichier.relative_to(TEMPLATES)}: {motif}"
        for fichier in TEMPLATES.rglob("*.html")
        if fichier.parent.name != "pdf"  # WeasyPrint's documents, never served as pages
        for motif in motifs
        if motif in fichier.read_text(encoding="utf-8")
    ] + [
        f"{fichier.relative_to(TEMPLATES)}: <script"
        for fichier in TEMPLATES.rglob("*.html")
        if fichier.parent.name != "pdf"
        if re.search(r"<script(?![^>]*\bsrc=)", fichier.read_text(encoding="utf-8"))
    ]
    assert trouves == []


@pytest.mark.parametrize(
    "utilisateur, adresses",
    [
        (None, ["login", "password_reset"]),
        ("gestionnaire1", ["accueil:index", "indicateurs:index", "exports:index"]),
        ("alpha1", ["accueil:index", "remunerations:index", "parcours:index"]),
        ("admin", ["/admin/", "/admin/axes/accessattempt/"]),
    ],
)
def test_the_pages_carry_nothing_the_policy_refuses(client, demo, utilisateur, adresses):
    if utilisateur:
        client.force_login(demo[utilisateur])
    for adresse in adresses:
        chemin = adresse if adresse.startswith("/") else reverse(adresse)
        page = client.get(chemin, GRAPHIQUES if adresse == "indicateurs:index" else {})
        assert page.status_code == 200, adresse
        assert "Content-Security-Policy" in page
        assert refuse(page.content.decode()) == [], adresse
