"""Production builds its static files with cache-busting names, and its pages find every one."""

import json
from pathlib import Path

import pytest
import viewflow
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from whitenoise.compress import Compressor

from scripts.smoke_crawl import HASHED_NAME, parse
from tests.test_settings_production import STRONG_SECRET, manage

ROBOTO = "viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css"


@pytest.fixture(scope="module")
def production_storages():
    """The STORAGES of config.settings.production, read as the server loads them."""
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="parcours.del.nc",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def collected(tmp_path_factory, production_storages):
    """`collectstatic` as at deploy time, into a folder of its own."""
    root = tmp_path_factory.mktemp("staticfiles")
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(STORAGES=production_storages, STATIC_ROOT=root),
    ):
        # WhiteNoise's gzip and brotli copies take minutes; the CI smoke (.ci/run) makes them.
        patch.setattr(Compressor, "should_compress", lambda self, filename: False)
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def manifest(root):
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def test_collectstatic_with_the_production_storage_names_every_file_by_its_content(collected):
    paths = manifest(collected)
    for name in (
        "viewflow/img/favicon.png",
        "del.css",
        "viewflow/fonts/roboto/roboto-fontface.css",
    ):
        assert HASHED_NAME.search(paths[name]), name
        assert (collected / paths[name]).is_file()


def test_the_vendored_roboto_stylesheet_points_at_fonts_that_were_collected(collected):
    paths = manifest(collected)
    stylesheet = (collected / paths[ROBOTO]).read_text()
    thin = paths[
        "viewflow/fonts/roboto/node_modules/roboto-fontface/fonts/roboto/Roboto-Thin.woff2"
    ]
    assert f'url("../../fonts/roboto/{Path(thin).name}")' in stylesheet


def test_our_roboto_stylesheet_is_viewflows_with_the_fonts_where_viewflow_ships_them():
    """django-viewflow 2.4's copy looks for its fonts beside it, where they are not. When a
    new viewflow fixes it, this fails: then delete our override in static/."""
    ours = Path(finders.find(ROBOTO)).read_text()
    theirs = (Path(viewflow.__file__).parent / "static" / ROBOTO).read_text()
    rules = ours[ours.index("*/") + 2 :].lstrip()
    assert Path(finders.find(ROBOTO)).is_relative_to(Path(__file__).parent.parent / "static")
    assert rules.replace("url('../../fonts/roboto/", "url('./") == theirs


def test_a_user_reads_pages_whose_static_files_all_come_from_the_manifest(
    client, demo, collected, production_storages, settings
):
    settings.STORAGES = production_storages
    settings.STATIC_ROOT = collected
    client.post(reverse("login"), {"username": "conseiller1", "password": "demo-parcours-2026"})
    for page in (reverse("accueil:index"), reverse("prescriptions:index")):
        response = client.get(page)
        assert response.status_code == 200, page
        assets = [a for a in parse(response.content.decode()).assets if a.startswith("/static/")]
        assert "/static/" + manifest(collected)["viewflow/img/favicon.png"] in assets
        for asset in assets:
            assert HASHED_NAME.search(asset), asset
            assert (collected / asset.removeprefix("/static/")).is_file(), asset
