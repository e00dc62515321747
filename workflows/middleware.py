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
        if isinstance(exception, PermissionDenied) and _tache_faite_entre_temps(request):
            messages.error(request, DEJA_ACCOMPLIE)
            dossier = dossier_du_processus(request.activation.process)
            return redirect(dossier.get_absolute_url() if dossier else "/")
        return None


def _tache_faite_entre_temps(request) -> bool:
    """The user posted a task's own page (its execution) and found the task no longer to do:
    done by someone else while they filled it in. Any other refusal stays a 403."""
    activation = getattr(request, "activation", None)
    return (
        request.method == "POST"
        and request.resolver_match is not None
        and request.resolver_match.url_name in ("index", "execute")
        and activation is not None
        and activation.task.pk is not None
        and activation.task.status not in ACTIVE_TASK_STATUSES
    )
