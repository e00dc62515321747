"""The actions of a record's page, derived from its state machine.

django-fsm owns the rule of each state change, written once on the record's transition: from
which states (`source`), under which record conditions (`conditions`), by whom (`permission`).
A page offers a state change when django-fsm makes its transition available to the user now,
and the service that runs it checks the same rule (`exiger_transition`): the page and the
action cannot disagree. The other actions of a page (writing a projet, adding a rendez-vous)
are no state change: the page offers them by the record's predicates that their services
check.

Each POST names its action; a refusal is shown where the user acted, and changes nothing (the
action runs in one transaction).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django_fsm import can_proceed

INTERDIT = "Vous n'avez pas l'autorisation de faire cette action."


def transitions_permises(record, user, champ="etat") -> set[str]:
    """The names of the record's transitions `user` may run now: from its state, with their
    conditions met and their permission granted (django-fsm's available transitions)."""
    disponibles = getattr(record, f"get_available_user_{champ}_transitions")(user)
    return {transition.name for transition in disponibles}


def actions_permises(record, user, transitions: dict[str, str]) -> set[str]:
    """The actions of `transitions` (action -> the record's transition it runs) that `user`
    may take on the record now (a record without a state machine has none)."""
    if not transitions:
        return set()
    permises = transitions_permises(record, user)
    return {action for action, transition in transitions.items() if transition in permises}


def permise(transition, user) -> bool:
    """Whether `user` is among those the transition's `permission` allows, in any state
    (`transition`: a bound transition method)."""
    record = transition.__self__
    return all(t.has_perm(record, user) for t in transition._django_fsm.transitions.values())


def exiger_transition(transition, par, *, refus: str, interdit: str = INTERDIT):
    """Before a service runs `transition` (a bound transition method) for `par`, the rule the
    page offered it by, which django-fsm's `has_transition_perm` reads: who may (its
    permission), or PermissionDenied(interdit); then whether it may happen now (its source
    and conditions), or ValidationError(refus). `par=None` is the application itself (a
    timer): only the second is checked."""
    if par is not None and not permise(transition, par):
        raise PermissionDenied(interdit)
    if not can_proceed(transition):
        raise ValidationError(refus)


DISPARU = (
    "Cet élément n'existe plus : quelqu'un vient de le retirer. La page est à jour, "
    "rien n'a été changé."
)


class Refus(Exception):
    """An action's form is invalid: show the page again with the form and its errors."""

    def __init__(self, **context):
        super().__init__()
        self.context = context


def message_de(refus) -> list[str]:
    if isinstance(refus, ValidationError):
        return refus.messages
    return [str(refus) or INTERDIT]


class ActionsMixin:
    """For a DetailView of a record with actions.

    The page offers the actions the user may take on the record now (`offertes` in the
    context): those of `transitions` (action -> the record's transition it runs) that
    django-fsm makes available to them, and those `autres_actions()` allows. `forms` holds the
    offered actions' forms (`formulaires`: action -> form class), blank, or bound when a
    refusal shows one again; an action without a form is a button.

    On POST, `action_<name>(request)` runs the action through its service and returns the
    success message; it raises Refus to show the page again with bound forms.
    """

    actions: tuple[str, ...] = ()
    transitions: dict[str, str] = {}
    formulaires: dict[str, type] = {}
    # Each action's form fields carry one prefix, on the page and in the POST (none if unset).
    prefixes: dict[str, str] = {}

    def autres_actions(self) -> set[str]:
        """The actions that change no state the user may take now, by the record's
        predicates (those their services check)."""
        return set()

    def actions_offertes(self) -> set[str]:
        user = self.request.user
        return actions_permises(self.object, user, self.transitions) | self.autres_actions()

    def kwargs_du_formulaire(self, action) -> dict:
        """What the action's form is built with, besides its data and prefix."""
        return {}

    def formulaire(self, action, donnees=None):
        """The action's form: blank on the page, bound to `donnees` when the action runs."""
        return self.formulaires[action](
            donnees, prefix=self.prefixes.get(action), **self.kwargs_du_formulaire(action)
        )

    def get_context_data(self, forms=None, **kwargs):
        offertes = self.actions_offertes()
        formulaires = {
            action: self.formulaire(action) for action in self.formulaires if action in offertes
        }
        formulaires.update(forms or {})
        return super().get_context_data(offertes=offertes, forms=formulaires, **kwargs)

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

    def par_formulaire(self, action, service):
        """Run `service(form)` with the action's form bound to the POST, if it is valid; a
        refusal of the service shows on the form's fields (its ValidationError names them) and
        changes nothing."""
        form = self.formulaire(action, self.request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    return service(form)
            except ValidationError as refus:
                form.add_error(None, refus)
        raise Refus(forms={action: form})

    def sur_le_dossier(self, action, service):
        """The action's form run by `service(record, par=user, **cleaned_data)`: the form's
        fields are the service's arguments."""
        return self.par_formulaire(
            action,
            lambda form: service(self.object, par=self.request.user, **form.cleaned_data),
        )

    def choisi(self, queryset, champ):
        """The record the POST names in `champ` (a line, a passage...) among `queryset`: a 404
        if it is not there, the id missing or malformed included (a crafted POST, never a
        500); a French refusal on the page if it was just removed by someone else."""
        pk = self.request.POST.get(champ, "")
        if not pk.isdigit():
            raise Http404(f"Aucun élément « {champ} » ne correspond à cette demande.")
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            # Removed meanwhile (two users, or two tabs, removing the same person): the one who
            # comes second is told so on the page. One the user may not see stays a 404.
            if not queryset.model._default_manager.filter(pk=pk).exists():
                raise ValidationError(DISPARU) from None
            raise Http404(f"Aucun élément « {champ} » ne correspond à cette demande.") from None

    def exiger(self, permission, condition=True):
        if not (self.request.user.has_perm(permission) and condition):
            raise PermissionDenied(INTERDIT)
