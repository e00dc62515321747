"""Background jobs through the real queue: django-tasks-db's database backend, and its worker
run in-process, in the test's transaction, until the queue is empty."""

from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from tests.reporting.historique import MAINTENANT

FILE_EN_BASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def file_en_base(settings):
    """The production queue: a job waits in the database until a worker takes it."""
    settings.TASKS = FILE_EN_BASE


@pytest.fixture
def le_jour_de_l_import():
    with time_machine.travel(MAINTENANT, tick=False):
        yield


def faire_tourner_le_worker():
    """`manage.py db_worker --batch`, in this process: every job waiting runs, then it stops.
    Its check of stale connections would close the test's own (opened long ago) and lose the
    test's transaction: it is left out here."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()


def deposer(client, contenu, nom="suivi.csv"):
    return client.post(reverse("imports:index"), {"fichier": SimpleUploadedFile(nom, contenu)})
