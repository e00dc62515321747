"""Running a record's process: start it, do its waiting task, cancel it, move its timers.

Each record the flows follow (a prescription, a session, an avenant, a parcours, an état de
rémunération, a bilan) points to its viewflow process (`record.process`), which knows its flow.
The services name a flow's nodes by their name ("commander", "entrer"...); to start a record's
process, the flows register here which records they follow (`enregistrer_flux`), so that
nothing but the flows' own module imports them.

A task's work runs under the process lock, in the transaction that completes the task: the
record's transition and the task's completion commit together, or not at all.
"""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

ACTIVE_TASK_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
PAS_A_ACCOMPLIR = "Cette étape n'est pas (ou plus) à accomplir."
DEJA_ACCOMPLIE = "Cette étape a déjà été accomplie par quelqu'un d'autre."

_FLUX_PAR_MODELE = {}


def enregistrer_flux(modele):
    """Class decorator of each flow (workflows/flows.py): the flow follows `modele`'s records."""

    def enregistrer(flow_class):
        _FLUX_PAR_MODELE[modele] = flow_class
        return flow_class

    return enregistrer


def flux_de(record):
    """The flow that follows a record (or a record's model)."""
    return _FLUX_PAR_MODELE[record._meta.model]


def dossier_du_processus(process):
    """The record a process follows (None if it was deleted)."""
    for modele, flow_class in _FLUX_PAR_MODELE.items():
        if flow_class is process.flow_class:
            return modele._default_manager.filter(process_id=process.pk).first()
    return None


def noeud(flow_class, nom):
    node = flow_class.instance.node(nom, no_obsolete=True)
    if node is None:
        raise LookupError(f"{flow_class.__name__} has no node named {nom!r}.")
    return node


def url_du_processus(record) -> str | None:
    """The page of the record's process (its chart and history), if it has one."""
    if record.process_id is None:
        return None
    return flux_de(record).instance.reverse("process_detail", args=[record.process_id])


def task_url(task):
    """Commission and order steps are done on their record's page; others on the task's."""
    flow = task.flow_task.flow_class.instance
    if hasattr(flow, "url_dossier"):
        return flow.url_dossier(task.process)
    return task.flow_task.reverse("index", args=[task.process_id, task.pk])


# --- Starting ---------------------------------------------------------------------------------


def rattacher(activation, record):
    """The handler of each flow's StartHandle: the new process is saved and the record points
    to it, before the flow's first task (which reads the record) is activated."""
    activation.process.save()
    record.process = activation.process
    record.save(update_fields=["process"])
    return activation.process


def lancer(record, nom):
    """Start the record's process at its StartHandle node `nom` (from a service)."""
    return noeud(flux_de(record), nom).run(record=record)


def demarrer(record, nom, *, par, action):
    """Start the record's process at its Start node `nom` as `par`, as the node's view does:
    `action(activation)` records the new record on the process and executes the activation."""
    node = noeud(flux_de(record), nom)
    activation = node.activation_class.create(node, None, None)
    with transaction.atomic():
        activation.start(SimpleNamespace(user=par))  # a start task only reads request.user
        return action(activation)


# --- Doing a task -----------------------------------------------------------------------------


def tache_en_attente(process, node) -> Task:
    task = (
        Task.objects.filter(process=process, flow_task=node, status__in=ACTIVE_TASK_STATUSES)
        .order_by("pk")
        .first()
    )
    if task is None:
        raise ValidationError(PAS_A_ACCOMPLIR)
    return task


def executer_tache(task, *, par, action, hors_application=False):
    """Execute a human task as `par`, taking it first if it waits in a team's queue.

    `action()` does the task's work (a record's transition); it runs under the process lock,
    in the transaction that completes the task. A refusal (ValidationError, PermissionDenied)
    rolls both back. `hors_application`: the step was done outside the application and `par`
    records it (the history's import), whatever their role or the task's owner.
    """
    node = task.flow_task
    with node.flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        if task.status not in ACTIVE_TASK_STATUSES:
            raise ValidationError(DEJA_ACCOMPLIE)
        activation = node.activation_class(task)
        if task.status == STATUS.NEW:
            if not (hors_application or node.can_assign(par, task)):
                raise PermissionDenied("Vous n'avez pas le rôle requis pour cette étape.")
            activation.assign(par)
        elif not (hors_application or node.can_execute(par, task)):
            raise PermissionDenied(f"Cette étape est prise en charge par {task.owner}.")
        if task.status == STATUS.ASSIGNED:
            activation.start(SimpleNamespace(user=par))
        resultat = action()
        activation.execute()
    return resultat


def accomplir(process, nom, *, par, action, hors_application=False):
    """Do the process's task waiting at node `nom` as `par`: `action()` is its work (see
    executer_tache). A record without a process has no task to do."""
    if process is None:
        raise ValidationError(PAS_A_ACCOMPLIR)
    return executer_tache(
        tache_en_attente(process, noeud(process.flow_class, nom)),
        par=par,
        action=action,
        hors_application=hors_application,
    )


# --- Cancelling, re-planning ------------------------------------------------------------------


def annuler_processus(record):
    """Stop the record's process, if it has one: its waiting tasks and timers are cancelled."""
    if record.process_id is not None:
        flux_de(record).instance.cancel(record.process)


def replanifier(record):
    """The moment the record's timers wait for moved: each scheduled timer reads its delay
    again (the timer's own delay function, on the record as it is now)."""
    attente = Task.objects.filter(
        process_id=record.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    )
    for task in attente:
        task.scheduled = task.flow_task._delay(task.flow_task.activation_class(task))
        task.save(update_fields=["scheduled"])
