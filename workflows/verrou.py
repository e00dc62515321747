"""The process lock: one step of a process at a time, and a French answer to whoever waits.

viewflow's `select_for_update_lock` tries `SELECT ... FOR UPDATE NOWAIT` on the process row
and, when another transaction holds it, catches the error inside the transaction and tries
again. On PostgreSQL a failed statement aborts the whole transaction: when the lock is taken
inside a page's transaction (every action of a record's page runs in one), the next statement
fails with "current transaction is aborted" and the user gets an error page. Here each attempt
runs in its own savepoint, rolled back when it fails, so the transaction stays usable; the
lock is waited for a few seconds (a step or a timer's pass lasts well under a second), then
the user is told, in French, that the step is being done and to try again.

Once it holds the lock, the step's code reads the task again: if another user did it in the
meantime, it answers that the step was already done (workflows/taches.py).
"""

import time
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from viewflow.workflow.exceptions import FlowLockFailed

EN_COURS = (
    "Cette étape est en cours de traitement par quelqu'un d'autre (ou par une échéance "
    "automatique) : réessayez dans un instant."
)


class ProcessusOccupe(FlowLockFailed, ValidationError):
    """The process stayed locked by another transaction for the whole wait.

    A FlowLockFailed for viewflow (its timer runner skips the task until its next pass), a
    ValidationError for the pages (the message shows where the user acted, nothing changed).
    """

    def __init__(self):
        ValidationError.__init__(self, EN_COURS, code="processus_occupe")


class VerrouDuProcessus:
    """`SELECT ... FOR UPDATE NOWAIT` on the process row, each attempt in a savepoint, tried
    again after `pauses` (seconds) before giving up with ProcessusOccupe."""

    pauses = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        processus = flow_class.process_class._default_manager.filter(pk=process_pk)
        with transaction.atomic():
            for pause in (*self.pauses, None):
                try:
                    with transaction.atomic():
                        processus.select_for_update(nowait=True).exists()
                    break
                except DatabaseError:
                    if pause is None:
                        raise ProcessusOccupe() from None
                    time.sleep(pause)
            yield


verrou_du_processus = VerrouDuProcessus()
