"""A notification's e-mail leaves once its transaction has committed, and once: a timer's pass
interrupted after notifying has sent nothing, and the next pass sends it once."""

from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from procurement.models import Prescription
from workflows.models import Notification
from workflows.notifications import envoyer, notifier

pytestmark = pytest.mark.django_db


def passage_des_echeances():
    """One pass of the timer runner: its work commits, the e-mails leave after."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("workflow_timers", stdout=StringIO())


def rappels_de_cosignature(ts) -> list:
    return [c for c in mail.outbox if c.to == [ts.email] and "Rappel" in c.subject]


def rappels(ts):
    """The travailleur social's reminders (the demo asked him to co-sign, too)."""
    return Notification.objects.filter(destinataire=ts, message__startswith="Rappel")


class PassageTue(Exception):
    """The timer runner killed (a deployment, a lost connection) after firing a timer,
    before its transaction commits."""


def test_a_timer_pass_killed_after_notifying_sends_the_reminder_once_on_the_next_pass(
    demo, monkeypatch
):
    wamytan = Prescription.objects.get(demandeur__nom="WAMYTAN")
    echeance = Task.objects.get(
        process=wamytan.process, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).scheduled
    activation = Task.activation

    @contextmanager
    def activation_puis_arret(task):
        with activation(task) as en_cours:
            yield en_cours  # the timer fires: the reminder is written (and was sent, before)
            raise PassageTue

    with time_machine.travel(echeance + timedelta(minutes=1), tick=False):
        monkeypatch.setattr(Task, "activation", activation_puis_arret)
        passage_des_echeances()
        assert rappels_de_cosignature(demo["ts1"]) == []
        assert not rappels(demo["ts1"]).exists()

        monkeypatch.setattr(Task, "activation", activation)
        passage_des_echeances()
        passage_des_echeances()

    (courriel,) = rappels_de_cosignature(demo["ts1"])
    assert f"la prescription n° {wamytan.pk}" in courriel.body
    notification = rappels(demo["ts1"]).get()
    assert notification.envoyee_le is not None
    assert notification.cle.startswith("echeance-")


def test_the_same_notification_is_written_and_sent_once(demo):
    ts = demo["ts1"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        premiere = notifier(ts, "Rappel de l'échéance", "/bilans/1/", cle="rappel-bilan-1")
        seconde = notifier(ts, "Rappel de l'échéance", "/bilans/1/", cle="rappel-bilan-1")
    assert seconde == premiere
    assert Notification.objects.filter(destinataire=ts, cle="rappel-bilan-1").count() == 1
    assert [c.to for c in mail.outbox if c.subject.endswith("Rappel de l'échéance")] == [[ts.email]]
    assert envoyer(premiere.pk, "[Parcours DEL] Rappel de l'échéance", "Rappel") is False
    assert len([c for c in mail.outbox if c.subject.endswith("Rappel de l'échéance")]) == 1


def test_a_notification_rolled_back_sends_nothing(demo):
    with (
        TestCase.captureOnCommitCallbacks(execute=True) as envois,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifier(demo["ts1"], "Jamais envoyé", "")
        raise RuntimeError("refusé")
    assert envois == []
    assert not [c for c in mail.outbox if c.subject.endswith("Jamais envoyé")]
