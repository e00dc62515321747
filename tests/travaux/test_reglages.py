"""The queue's settings: the database backend wherever a worker runs (production, local run),
the progress's own connection to the same database; a progress that cannot be written is
skipped without stopping the job, and written at most every half second within a step."""

import secrets
from unittest import mock

import pytest
from django.db import OperationalError

from tests.test_local_run import reglages
from travaux import taches
from travaux.models import Travail

FILE_EN_BASE = "django_tasks_db.DatabaseBackend"


def test_la_production_met_les_travaux_en_file_dans_la_base():
    url = "postgres://parcours@db.del.lan:5432/parcours"
    valeurs = reglages(
        "production",
        "TASKS",
        "DATABASES",
        "INSTALLED_APPS",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="parcours.del.nc",
        DATABASE_URL=url,
    )
    assert valeurs["TASKS"]["default"]["BACKEND"] == FILE_EN_BASE
    assert {"django_tasks", "django_tasks_db", "travaux"} <= set(valeurs["INSTALLED_APPS"])
    principale, progression = (valeurs["DATABASES"][a] for a in ("default", "progression"))
    assert progression == principale and principale["HOST"] == "db.del.lan"


def test_en_local_la_progression_n_attend_pas_le_verrou_de_sqlite():
    valeurs = reglages("local", "TASKS", "DATABASES")
    assert valeurs["TASKS"]["default"]["BACKEND"] == FILE_EN_BASE
    principale, progression = (valeurs["DATABASES"][a] for a in ("default", "progression"))
    assert progression["NAME"] == principale["NAME"]
    assert principale["OPTIONS"]["timeout"] == 30
    assert progression["OPTIONS"]["timeout"] == 0.1


@pytest.mark.django_db
def test_une_progression_non_ecrite_n_arrete_pas_le_travail(demo):
    travail = Travail.objects.create(par=demo["gestionnaire1"], libelle="Import", fonction="x")
    progression = taches.Progression(travail)
    verrou = OperationalError("database is locked")
    with mock.patch.object(Travail.objects, "using", side_effect=verrou) as ecrire:
        progression("verification", 0, 10)
    assert ecrire.call_count == 1
    travail.refresh_from_db()
    assert (travail.etape, travail.faites, travail.total) == ("", 0, None)
    # The next one is written.
    progression("verification", 1, 10)
    travail.refresh_from_db()
    assert (travail.etape, travail.faites, travail.total) == ("verification", 1, 10)


@pytest.mark.django_db
def test_la_progression_s_ecrit_au_plus_toutes_les_demi_secondes_dans_une_etape(demo):
    travail = Travail.objects.create(par=demo["gestionnaire1"], libelle="Import", fonction="x")
    progression = taches.Progression(travail)
    horloge = iter([0.0, 0.1, 0.2, 0.75, 0.8, 0.9])
    with mock.patch.object(taches.time, "monotonic", side_effect=lambda: next(horloge)):
        ecrits = []
        for etape, faites in [
            ("verification", 0),  # new step: written
            ("verification", 5),  # 0.1 s later: skipped
            ("ecriture", 0),  # new step: written
            ("ecriture", 4),  # 0.5 s after the last write: written
            ("ecriture", 6),  # 0.1 s later: skipped
            ("ecriture", 10),  # the step's end: written
        ]:
            progression(etape, faites, 10)
            travail.refresh_from_db()
            ecrits.append((travail.etape, travail.faites))
    assert ecrits == [
        ("verification", 0),
        ("verification", 0),
        ("ecriture", 0),
        ("ecriture", 4),
        ("ecriture", 4),
        ("ecriture", 10),
    ]
