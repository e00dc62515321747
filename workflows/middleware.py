"""viewflow's task views (a prescription's completion and co-signature) take the process lock
and check the task before our view runs. When the lock stays held (another user, the timer
runner), or when the task was done meanwhile by someone else, the user sees the page again
with the French message, never an error page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .taches import ACTIVE_TASK_STATUSES, DEJA_ACCOMPLIE, dossier_du_processus
from .verrou import ProcessusOccupe


class ProcessusOccupeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ProcessusOccupe):
            for texte in exception.messages:
                messages.error(request, texte)
            return redirect(request.get_full_path())
        activation = getattr(request, "activation", None)
        if (
            isinstance(exception, PermissionDenied)
            and activation is not None
            and activation.task.pk is not None
            and activation.task.status not in ACTIVE_TASK_STATUSES
        ):
            messages.error(request, DEJA_ACCOMPLIE)
            dossier = dossier_du_processus(activation.process)
            return redirect(dossier.get_absolute_url() if dossier else "/")
        return None
