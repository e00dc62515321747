"""Running the prescription flow's steps outside a web request (demo data, commands, tests).

The task views do the same through viewflow's view wrappers: lock, transaction, start, the
record's transition, then the task's completion.
"""

from types import SimpleNamespace

from django.db import transaction

from procurement import services as procurement_services


def lancer_prescription(activation, prescription, *, par, freins=(), transmettre=False):
    """Record a new prescription on the process being started, then start the process."""
    activation.process.save()
    prescription.process = activation.process
    prescription.save()
    prescription.freins.set(freins)
    if transmettre:
        procurement_services.transmettre(prescription, par=par)
    activation.execute()


def prescrire(prescription, *, par, freins=(), transmettre=False):
    from .flows import PrescriptionFlow  # flows -> views -> this module

    node = PrescriptionFlow.prescrire
    activation = node.activation_class.create(node, None, None)
    with transaction.atomic():
        activation.start(SimpleNamespace(user=par))  # a start task only reads request.user
        lancer_prescription(
            activation, prescription, par=par, freins=freins, transmettre=transmettre
        )
    return prescription


def executer_tache(task, *, par, action):
    """Execute a human task as `par` would through its page; `action(prescription)` decides."""
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id), transaction.atomic():
        activation = task.flow_task.activation_class(task)
        activation.start(SimpleNamespace(user=par))
        action(activation.process.prescription)
        activation.execute()
