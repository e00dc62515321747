"""The pages of viewflow's task views (a prescription's completion and co-signature) take
the process lock before our view runs: when it stays held by another user or by the timer
runner, the user sees the page again with the French message, never an error page."""

from django.contrib import messages
from django.shortcuts import redirect

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
        return None
