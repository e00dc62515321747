"""Buttons on a record's page: each POST names its action; a refusal is shown where the user
acted, and changes nothing (the action runs in one transaction)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect


class Refus(Exception):
    """An action's form is invalid: show the page again with the form and its errors."""

    def __init__(self, **context):
        super().__init__()
        self.context = context


def message_de(refus) -> list[str]:
    if isinstance(refus, ValidationError):
        return refus.messages
    return [str(refus) or "Vous n'avez pas l'autorisation de faire cette action."]


class ActionsMixin:
    """For a DetailView: `action_<name>(request)` runs the POST's action and returns the
    success message; it raises Refus to show the page again with bound forms."""

    actions: tuple[str, ...] = ()
    # Each action's form fields carry one prefix, on the page and in the POST (none if unset).
    prefixes: dict[str, str] = {}

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        action = request.POST.get("action", "")
        if action not in self.actions:
            return HttpResponseNotAllowed(["GET"])
        try:
            with transaction.atomic():
                message = getattr(self, f"action_{action}")(request)
        except Refus as refus:
            return self.render_to_response(self.get_context_data(**refus.context), status=400)
        except (ValidationError, PermissionDenied) as refus:
            for texte in message_de(refus):
                messages.error(request, texte)
        else:
            messages.success(request, message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        self.object.refresh_from_db()
        return self.object.get_absolute_url()

    def formulaire(self, action, form_class, donnees=None, **kwargs):
        """The action's form: blank on the page, bound to `donnees` when the action runs."""
        return form_class(donnees, prefix=self.prefixes.get(action), **kwargs)

    def par_formulaire(self, cle, form, service):
        """Run `service(cleaned_data)` if the form is valid; a refusal of the service shows on
        the form's fields (its ValidationError names them) and changes nothing."""
        if form.is_valid():
            try:
                with transaction.atomic():
                    return service(form.cleaned_data)
            except ValidationError as refus:
                form.add_error(None, refus)
        raise Refus(forms={cle: form})

    def exiger(self, permission, condition=True):
        if not (self.request.user.has_perm(permission) and condition):
            raise PermissionDenied("Vous n'avez pas l'autorisation de faire cette action.")
