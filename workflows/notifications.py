"""Tell a user something: a notification on their home page and an e-mail.

The e-mail leaves once the transaction that wrote the notification has committed
(`transaction.on_commit`): a timer's pass interrupted after notifying rolls the notification
back with the rest of its work and has sent nothing; the next pass notifies again, once.

Each notification is sent at most once: it is marked sent (`envoyee_le`) under its row lock,
in its own transaction, before its e-mail leaves; sending it again is a no-op. A notification
may carry a key (`cle`) naming the event it tells of: notifying the same key again is a no-op.
The timers' alerts take theirs from the timer that fired (`cles_de_l_echeance`): a timer fired
again tells nobody twice.

A step that asks someone to act (a flow's human task, just created) tells them through
`appeler`: what to do, on which record, and why when the work comes back (the comment that
sent it back). The e-mail's subject is the notification's whole sentence, never cut; its body
(templates/workflows/courriel_notification.txt) adds the reason in full and the record's
absolute link (SITE_URL).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial, wraps

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

PREFIXE_DU_SUJET = "[Parcours DEL] "
# A task's own title (a task sent back says so, with its reason) is kept to a line.
LONGUEUR_DU_TITRE = 160

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


def abreger(texte: str, longueur: int) -> str:
    """`texte` on one line, cut at the last whole word that fits `longueur` with "…" when it
    is longer: a user's comment abridged where only a line is shown (it is whole in the
    e-mail and on the record's page)."""
    texte = " ".join(texte.split())
    if len(texte) <= longueur:
        return texte
    coupe = texte[: longueur - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{coupe}…"


def notifier(destinataire, message: str, lien: str = "", *, cle: str = "", motif: str = ""):
    """Write the notification and send its e-mail once the transaction commits. With a key
    (given, or the timer's that fired), a notification already written for it is returned
    and nothing is sent again.

    `message` is one or more whole sentences (the e-mail's subject); `motif`, the reason given
    by whoever sent the work back, follows it in the notification (abridged to the field) and
    in full in the e-mail."""
    evenement = _evenement.get()
    if not cle and evenement is not None:
        cle = f"{evenement}-{destinataire.pk}"
    texte = f"{message} Motif : {motif}" if motif else message
    longueur = Notification._meta.get_field("message").max_length
    valeurs = {"destinataire": destinataire, "message": abreger(texte, longueur), "lien": lien}
    if not cle:
        notification = Notification.objects.create(**valeurs)
    else:
        notification, cree = Notification.objects.get_or_create(cle=cle, defaults=valeurs)
        if not cree:
            return notification
    if destinataire.email:
        corps = render_to_string(
            "workflows/courriel_notification.txt",
            {
                "destinataire": destinataire,
                "message": message,
                "motif": motif.strip(),
                "url": f"{settings.SITE_URL}{lien}" if lien else "",
            },
        )
        transaction.on_commit(
            partial(envoyer, notification.pk, PREFIXE_DU_SUJET + message, corps), robust=True
        )
    return notification


def appeler(activation, dossier, destinataires, message: str, *, motif: str = "", titre: str = ""):
    """A flow's task on `dossier` was just created (a View node's onCreate): each user it asks
    to act is told, with the link to the record's page, where the step is done or offered. A
    task that comes back takes `titre` (what to do again, with the reason) as its own title,
    so that it reads apart from the first one."""
    if titre:
        activation.task.data["titre"] = abreger(
            f"{titre} : {motif}" if motif else titre, LONGUEUR_DU_TITRE
        )
        activation.task.save(update_fields=["data"])
    for destinataire in destinataires:
        notifier(destinataire, message, dossier.get_absolute_url(), motif=motif)


def envoyer(pk, objet: str, corps: str) -> bool:
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
    send_mail(
        subject=objet,
        message=corps,
        from_email=None,
        recipient_list=[notification.destinataire.email],
        fail_silently=True,
    )
    return True
