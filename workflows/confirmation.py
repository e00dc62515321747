"""A confirmation asked once before an irreversible step (issuing a numbered order, accepting
an état, closing a commission session, recording an exit).

The page's POST without `confirme=1` changes nothing: the page comes back with a panel that
says what will happen (templates/includes/confirmation.html, given `confirmation_message` and
`confirmation_bouton`), whose "Confirmer" posts the same fields again with `confirme=1`, and
whose "Annuler" leads back to the page. That POST acts.

In an action of a page built on workflows.actions.ActionsMixin, once the action's own rules
have let it through (who may, and whether it may happen now: a refusal is said first):

    exiger_confirmation(request, "Vous allez clôturer la séance : …")

elsewhere, `if not demande_confirmation(request):` render the page with the panel's context.
"""

from .actions import Refus

CHAMP = "confirme"


def demande_confirmation(request) -> bool:
    """Whether the POST carries the user's confirmation (confirme=1): then the step runs."""
    return request.POST.get(CHAMP) == "1"


def exiger_confirmation(request, message: str, bouton: str = "Confirmer") -> None:
    """Without the confirmation in the POST, show the page again with the panel saying
    `message` (what will happen, "Vous allez …"), and change nothing (Refus)."""
    if not demande_confirmation(request):
        raise Refus(confirmation_message=message, confirmation_bouton=bouton)
