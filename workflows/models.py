"""The workflows core's records: what every process-driven record shares, the journal of
transitions, the notifications, and one proxy of viewflow's Process per flow. Imports no
business app, so that every app may build on it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField
from viewflow.workflow.models import Process


class DossierDeProcessus(ConcurrentTransitionMixin, models.Model):
    """What the process-driven records share (prescription, séance de commission, avenant,
    parcours, état de rémunération, bilan de fin de parcours): django-fsm owns their state,
    a viewflow process drives their work, and they keep when they were created.

    Each record declares its own `etat = champ_etat(...)` and `process = lien_processus(...)`:
    their states, the process class and its reverse name differ from one record to the next,
    and a field of an abstract model cannot take them as parameters. `ConcurrentTransitionMixin`
    refuses to save a record whose state changed in the database since it was read. A record
    named in the feminine redeclares `cree_le` for its label ("créée le").
    """

    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def suivi(self) -> bool:
        """Followed in the application by its process; not a record taken over from the
        history import."""
        return self.process_id is not None


def est_suivi(record) -> bool:
    """As a transition's condition: a record taken over from the history import changes state
    outside the application."""
    return record.suivi


def champ_etat(etats: type[models.TextChoices], initial, *, max_length: int = 20) -> FSMField:
    """A record's state: never assigned directly, changed only by its `@transition` methods
    (each journaled by `workflows.history`)."""
    return FSMField(
        "état", max_length=max_length, choices=etats.choices, default=initial, protected=True
    )


def lien_processus(related_name: str, modele: str = "viewflow.Process") -> models.OneToOneField:
    """The viewflow process that drives a record: empty for a record imported from history;
    deleting the process keeps the record, without it."""
    return models.OneToOneField(
        modele,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class PrescriptionProcess(Process):
    """The viewflow process of one prescription (its record: `process.prescription`)."""

    class Meta:
        proxy = True
        verbose_name = "processus de prescription"
        verbose_name_plural = "processus de prescription"


class Transition(models.Model):
    """One state change of a record: who, when, from, to, why. Written for every transition."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    objet = GenericForeignKey("content_type", "object_id")
    nom = models.CharField("transition", max_length=50)
    source = models.CharField("état de départ", max_length=30)
    cible = models.CharField("état d'arrivée", max_length=30)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    motif = models.TextField("motif", blank=True)
    le = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["le", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "le"], name="transition_objet_idx")
        ]

    def __str__(self):
        return f"{self.nom} : {self.source} → {self.cible}"


class NotificationQuerySet(models.QuerySet):
    def non_lues(self):
        return self.filter(lue_le__isnull=True)


class Notification(models.Model):
    """A message in a user's home page (and by e-mail): reminders, alerts, escalations."""

    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField("message", max_length=300)
    lien = models.CharField("lien", max_length=300, blank=True)
    creee_le = models.DateTimeField("créée le", auto_now_add=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)
    # workflows/notifications.py: the event it tells of (notified once), and when its e-mail
    # left (sent once).
    cle = models.CharField("clé", max_length=100, blank=True, editable=False)
    envoyee_le = models.DateTimeField("courriel envoyé le", null=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-creee_le", "-pk"]
        indexes = [
            models.Index(
                fields=["destinataire", "lue_le", "-creee_le"], name="notification_boite_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cle"],
                condition=~models.Q(cle=""),
                name="notification_cle_unique",
                violation_error_message="Cette notification a déjà été envoyée.",
            )
        ]

    def __str__(self):
        return self.message


class CommissionProcess(Process):
    """The process of one commission session: agenda, decisions, order, acknowledgement."""

    class Meta:
        proxy = True
        verbose_name = "processus de commission"
        verbose_name_plural = "processus de commission"


class AvenantProcess(Process):
    """The process of one avenant: issued by the DEL, acknowledged by the prestataire."""

    class Meta:
        proxy = True
        verbose_name = "processus d'avenant"
        verbose_name_plural = "processus d'avenant"


class ParcoursProcess(Process):
    """The process of one parcours: entry, running, exit, maintien dans l'emploi."""

    class Meta:
        proxy = True
        verbose_name = "processus de parcours"
        verbose_name_plural = "processus de parcours"


class RemunerationProcess(Process):
    """The process of one état de rémunération: declared, submitted, reconciled."""

    class Meta:
        proxy = True
        verbose_name = "processus d'état de rémunération"
        verbose_name_plural = "processus d'état de rémunération"


class BilanProcess(Process):
    """The process of one session's bilan de fin de parcours: written, sent, examined."""

    class Meta:
        proxy = True
        verbose_name = "processus de bilan de fin de parcours"
        verbose_name_plural = "processus de bilan de fin de parcours"
