"""Tell a user something: a notification on their home page and an e-mail.

The e-mail leaves once the transaction that wrote the notification has committed
(`transaction.on_commit`): a timer's pass interrupted after notifying rolls the notification
back with the rest of its work and has sent nothing; the next pass notifies again, once.

Each notification is sent at most once: it is marked sent (`envoyee_le`) under its row lock,
in its own transaction, before its e-mail leaves; sending it again is a no-op. A notification
may carry a key (`cle`) naming the event it tells of: notifying the same key again is a no-op.
The timers' alerts take theirs from the timer that fired (`cles_de_l_echeance`): a timer fired
again tells nobody twice.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial, wraps

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

_evenement = ContextVar("evenement_notifie", default=None)


@contextmanager
def cles_de_l_echeance(activation):
    """The notifications written in this block tell of the timer that fired this Function
    task (a viewflow activation): one key per timer and recipient."""
    timer = activation.task.previous.order_by("pk").values_list("pk", flat=True).first()
    jeton = _evenement.set(f"echeance-{timer or activation.task.pk}")
    try:
        yield
    finally:
        _evenement.reset(jeton)


def une_fois_par_echeance(methode):
    """For a flow's method run by a Function node after a timer: its notifications are keyed
    by that timer (cles_de_l_echeance)."""

    @wraps(methode)
    def executer(flow, activation):
        with cles_de_l_echeance(activation):
            return methode(flow, activation)

    return executer


def notifier(destinataire, message: str, lien: str = "", *, cle: str = ""):
    """Write the notification and send its e-mail once the transaction commits. With a key
    (given, or the timer's that fired), a notification already written for it is returned
    and nothing is sent again."""
    evenement = _evenement.get()
    if not cle and evenement is not None:
        cle = f"{evenement}-{destinataire.pk}"
    valeurs = {"destinataire": destinataire, "message": message, "lien": lien}
    if not cle:
        notification = Notification.objects.create(**valeurs)
    else:
        notification, cree = Notification.objects.get_or_create(cle=cle, defaults=valeurs)
        if not cree:
            return notification
    if destinataire.email:
        transaction.on_commit(partial(envoyer, notification.pk), robust=True)
    return notification


def envoyer(pk) -> bool:
    """Send the notification's e-mail, unless it was sent already (or another process is
    sending it). Marked before it leaves: at most once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("destinataire")
            .filter(pk=pk, envoyee_le__isnull=True)
            .first()
        )
        if notification is None:
            return False
        notification.envoyee_le = timezone.now()
        notification.save(update_fields=["envoyee_le"])
    lien = f"\n\n{settings.SITE_URL}{notification.lien}" if notification.lien else ""
    send_mail(
        subject=f"[Parcours DEL] {notification.message[:80]}",
        message=notification.message + lien,
        from_email=None,
        recipient_list=[notification.destinataire.email],
        fail_silently=True,
    )
    return True
