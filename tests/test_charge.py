"""The load script's safety rules and counting, without a load: loopback targets only, its
bounds, a server error counted and failing the run (on the smoke's small fake site)."""

import os
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from scripts import charge
from scripts.charge import (
    Budget,
    Mesure,
    Mesures,
    Options,
    Session,
    charger,
    formulaires,
    main,
    refus,
    resume,
)
from scripts.smoke_crawl import Response
from tests.test_smoke_crawl import KEY, MENU, ORIGIN, SiteWithSecondFactor, html, site

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "origin",
    [
        "http://10.0.0.7:8000",
        "http://parcours.province-sud.nc",
        "http://127.0.0.1.exemple.nc:8000",
        "https://127.0.0.1:8000",
        "http://127.0.0.1:8000/accueil/",
        "ftp://127.0.0.1",
    ],
)
def test_a_target_that_is_not_this_machine_is_refused_before_any_request(origin, monkeypatch):
    monkeypatch.setattr(charge, "http_fetch", pytest.fail)  # any request fails the test
    assert main([origin, "--duree", "5"]) == 2
    assert refus(Options(origin))[0].startswith("Refusé : ")


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_the_loopback_is_accepted(origin):
    assert refus(Options(origin)) == []


@pytest.mark.parametrize(
    "options, raison",
    [
        (["--utilisateurs", "51"], "de 1 à 50 utilisateurs"),
        (["--utilisateurs", "0"], "de 1 à 50 utilisateurs"),
        (["--duree", "121"], "une durée de 1 à 120 secondes"),
        (["--requetes", "50001"], "de 1 à 50000 requêtes"),
        (["--battement", "0.1"], "un battement de 1 à 60 s"),
    ],
)
def test_options_out_of_bounds_are_refused_in_french_before_any_request(
    options, raison, monkeypatch, capsys
):
    monkeypatch.setattr(charge, "http_fetch", pytest.fail)
    assert main([ORIGIN, *options]) == 2
    assert raison in capsys.readouterr().err


@pytest.fixture
def psql_espion(tmp_path):
    """A PATH whose psql only records that it ran."""
    (tmp_path / "psql").write_text(f"#!/bin/sh\ntouch {tmp_path}/psql_lance\n")
    (tmp_path / "psql").chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(
    "arguments, environnement, message",
    [
        (["--duree", "5"], {"PGHOST": "db.exemple.nc"}, "le serveur PostgreSQL doit être local"),
        (["--utilisateurs", "500"], {}, "de 1 à 50 utilisateurs"),
    ],
)
def test_the_wrapper_refuses_a_remote_database_or_out_of_bounds_options_before_booting(
    arguments, environnement, message, psql_espion
):
    env = {**os.environ, "PATH": f"{psql_espion}:{os.environ['PATH']}", **environnement}
    lance = subprocess.run(
        ["scripts/charge.sh", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert lance.returncode == 2, lance.stderr
    assert message in lance.stderr
    assert not (psql_espion / "psql_lance").exists()


def test_a_run_stops_at_its_request_budget_and_never_logs_out():
    fake = site()
    mesures = charger(
        Options(ORIGIN, utilisateurs=3, duree=30, requetes=40, battement=1, pause=0), fake
    )
    assert len(mesures) == len(fake.requests) == 40
    assert ("GET", "/accounts/logout/") not in fake.requests


def test_a_page_answering_500_under_load_is_an_error_that_fails_the_run():
    broken = site(**{"/demandeurs/3/": Response(500, [("Content-Type", "text/html")])})
    mesures = charger(
        Options(ORIGIN, utilisateurs=2, duree=30, requetes=60, battement=1, pause=0, par_page=5),
        broken,
    )
    texte, erreurs = resume(mesures, 1)
    assert erreurs >= 1
    assert "500  GET /demandeurs/3/  (page)" in texte


def test_what_counts_as_an_error():
    def statut(genre, code):
        return Mesure("beta1", genre, "GET", "/parcours/1/", code, 0.01).erreur

    # A form refused on the spot is the application answering well; a page must not be refused.
    assert not statut("formulaire", 400)
    assert statut("page", 400) and statut("page", 403) and statut("formulaire", 403)
    assert statut("page", 500) and statut("formulaire", 502) and statut("fichier", 599)
    # A page on which the run acted (a task done) may be closed since; not any other page.
    assert not statut("page agie", 403) and not statut("page agie", 404)
    assert statut("page agie", 500) and statut("page agie", 400)
    # Another prestataire's record must be out of reach: shown to the probe, it is an error.
    assert not statut("sonde", 403) and not statut("sonde", 404)
    assert statut("sonde", 200) and statut("sonde", 500)


def test_a_form_is_posted_with_what_the_page_holds_filled_and_the_button_pressed():
    page = html(
        MENU + '<form method="post" action="/etats/4/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="t0k">'
        '<input name="version" value="3"><input type="checkbox" name="coche">'
        '<input type="checkbox" name="cochee" value="oui" checked>'
        '<select name="mois"><option value="">--</option><option value="10" selected>10</option>'
        '</select><textarea name="note">Vu</textarea>'
        '<input name="motif"><input type="date" name="debut"><input name="date_naissance">'
        '<select name="charge"><option value="">--</option><option value="7">B.</option></select>'
        '<textarea name="commentaire"></textarea>'
        '<button name="action" value="declarer">Enregistrer</button>'
        '<button name="action" value="soumettre">Soumettre</button></form>'
        '<form method="post" action="/accounts/logout/"><button>Déconnexion</button></form>'
        '<form method="get" action="/etats/"><input name="q"></form>'
    ).text
    trouves = formulaires("/etats/4/", page, ORIGIN)
    assert [(f.action, f.bouton) for f, _ in trouves] == [
        ("/etats/4/", ("action", "declarer")),
        ("/etats/4/", ("action", "soumettre")),
    ]
    # The page's values kept; the empty fields filled as a user would, so the action runs.
    assert trouves[0][1] == [
        ("csrfmiddlewaretoken", "t0k"), ("version", "3"), ("cochee", "oui"), ("mois", "10"),
        ("note", "Vu"), ("motif", "Charge"), ("debut", date.today().isoformat()),
        ("date_naissance", "01/01/1990"), ("charge", "7"), ("commentaire", "Charge"),
    ]  # fmt: skip


def test_a_user_who_cannot_log_in_is_an_error_and_the_others_do_not_wait_for_them():
    fake = site()
    fake.password = "un autre"
    debut = time.monotonic()
    mesures = charger(Options(ORIGIN, utilisateurs=3, duree=20, requetes=100, pause=0), fake)
    assert time.monotonic() - debut < 5
    texte, erreurs = resume(mesures, 1)
    assert erreurs == 3
    assert "401  POST /accounts/login/  (connexion) × 3" in texte
    assert texte.startswith("6 requêtes")  # each login page and form, the failures apart


def test_a_run_opens_lists_records_and_their_files_and_posts_their_forms_together():
    fiche = html(
        MENU + '<a href="/demandeurs/1/fiche.pdf">PDF</a>'
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t0k">'
        '<button name="action" value="enregistrer">Enregistrer</button></form>'
    )
    fake = site(
        **{
            "/demandeurs/1/": fiche,
            "/demandeurs/1/fiche.pdf": Response(200, [("Content-Type", "application/pdf")]),
        }
    )
    mesures = charger(
        Options(ORIGIN, utilisateurs=3, duree=2.5, requetes=5000, battement=1, pause=0.01), fake
    )
    assert resume(mesures, 2.5)[1] == 0
    assert {"/demandeurs/", "/demandeurs/1/", "/demandeurs/1/fiche.pdf"} <= {
        path for method, path in fake.requests
    }
    # At each beat the users post the form found (here the only one), on the fake site too.
    postes = [m for m in mesures if m.genre == "formulaire"]
    assert {(m.chemin, m.bouton) for m in postes} == {("/demandeurs/1/", "enregistrer")}
    assert postes and {m.user for m in postes} <= {"admin", "conseiller1", "conseiller2"}


def test_a_page_on_which_the_run_acted_is_measured_apart_wherever_it_is_opened():
    mesures = Mesures()
    mesures.agir("/demandeurs/1/")
    session = Session(site(), ORIGIN, "ts1", Budget(5, 100), mesures)
    session.obtenir("/demandeurs/1/")
    session.obtenir("/demandeurs/2/")
    assert [(m.chemin, m.genre) for m in mesures.liste if m.chemin.startswith("/demandeurs/")] == [
        ("/demandeurs/1/", "page agie"),
        ("/demandeurs/2/", "page"),
    ]


def test_the_sessions_of_a_user_share_one_login_and_type_the_second_factor_once(
    tmp_path, monkeypatch
):
    """Production asks for a TOTP code, accepted once: a user's sessions log in once."""
    cles = tmp_path / "cles_totp"
    cles.write_text(f"ts1 {KEY}\n")
    fake = SiteWithSecondFactor(site().pages)
    monkeypatch.setattr(charge, "ROLES", {"ts1": charge.ROLES["ts1"]})
    options = Options(ORIGIN, utilisateurs=3, duree=1.5, requetes=200, pause=0.01)
    options.cles_totp = str(cles)
    mesures = charger(options, fake)
    texte, erreurs = resume(mesures, 1)
    assert erreurs == 0, texte
    codes = [r for r in fake.requests if r == ("POST", "/accounts/deux-facteurs/?next=/")]
    assert len(codes) == 1
