"""The commission interne (SEL + prestataire): its sittings, which open and close, and each
prescription's passage on a sitting's agenda with the decision taken on it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_fsm import transition

from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from ..enums import Decision, EtatPrescription, EtatSession
from .demandeurs import today
from .prescriptions import Prescription
from .referentiels import Frein, Lot, Prestataire

# A prescription may be put on a session's agenda from these states.
ETATS_A_EXAMINER = [EtatPrescription.SOUMISE, EtatPrescription.AJOURNEE]
# Who prepares a session's agenda and opens its sitting; who decides and closes it.
PREPARER = "procurement.change_sessioncommission"
DECIDER = "procurement.decider_sessioncommission"


class SessionCommissionQuerySet(models.QuerySet):
    def pour_liste(self):
        """With each session's number of passages, counted by a subquery per row rather than
        a `Count` over a join: the database counts only the page's rows (after its LIMIT), and
        the paginator's COUNT leaves the unused subquery out instead of grouping every
        session first."""
        passages = (
            PassageCommission.objects.filter(session=models.OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(nombre=models.Count("pk"))
            .values("nombre")
        )
        return (
            self.select_related("lot", "prestataire", "bon_de_commande")
            .annotate(nombre_passages=Coalesce(models.Subquery(passages), 0))
            .order_by("-date_seance", "-pk")
        )


class SessionCommission(DossierDeProcessus):
    """A sitting of the commission interne (SEL + prestataire) that examines prescriptions."""

    date_seance = models.DateField("date de la séance")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="sessions_commission")
    prestataire = models.ForeignKey(
        Prestataire, on_delete=models.PROTECT, related_name="sessions_commission"
    )
    membres_del = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="membres de la DEL",
        related_name="sessions_commission_del",
    )
    membres_prestataire = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="membres du prestataire",
        blank=True,
        related_name="sessions_commission_prestataire",
    )
    etat = champ_etat(EtatSession, EtatSession.PREPARATION)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ouverte par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cloturee_le = models.DateTimeField("clôturée le", null=True, blank=True, editable=False)
    proces_verbal = models.OneToOneField(
        "documents.Document",
        verbose_name="procès-verbal",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process = lien_processus("session_commission")
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = SessionCommissionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance de la commission"
        verbose_name_plural = "séances de la commission"
        ordering = ["-date_seance", "-pk"]
        permissions = [("decider_sessioncommission", "Décider en commission interne")]
        indexes = [
            models.Index(fields=["etat", "-date_seance"], name="session_etat_idx"),
            # The list's order, and a prestataire's sessions in that order.
            models.Index(fields=["-date_seance", "-id"], name="session_date_idx"),
            models.Index(fields=["prestataire", "-date_seance"], name="session_prestataire_idx"),
        ]

    def __str__(self):
        return (
            f"Commission du {self.date_seance:%d/%m/%Y}, lot {self.lot.numero}, "
            f"{self.prestataire.code}"
        )

    def get_absolute_url(self):
        return reverse("seances:detail", args=[self.pk])

    @property
    def ordre_du_jour_modifiable(self) -> bool:
        """Its gestionnaire puts prescriptions on the agenda, or takes them off, until the
        sitting opens."""
        return self.etat == EtatSession.PREPARATION

    @property
    def en_seance(self) -> bool:
        """Open: its members record their decisions."""
        return self.etat == EtatSession.EN_SEANCE

    def a_un_ordre_du_jour(self) -> bool:
        return self.passages.exists()

    @transition(
        field=etat,
        source=EtatSession.PREPARATION,
        target=EtatSession.EN_SEANCE,
        conditions=[a_un_ordre_du_jour],
        permission=PREPARER,
    )
    def ouvrir_seance(self, *, par, motif=""):
        pass

    def date_atteinte(self) -> bool:
        """A sitting is closed on its own day or later (Pacific/Noumea), once it took place:
        its decisions become final then."""
        return today() >= self.date_seance

    @transition(
        field=etat,
        source=EtatSession.EN_SEANCE,
        target=EtatSession.CLOTUREE,
        conditions=[date_atteinte],
        permission=DECIDER,
    )
    def cloturer(self, *, par, motif=""):
        self.cloturee_le = timezone.now()


class PassageQuerySet(models.QuerySet):
    def pour_liste(self):
        return self.select_related(
            "prescription__demandeur",
            "prescription__conseiller",
            "prescription__lot",
            "prescription__remplace__bon",
            "motif_refus",
            "decide_par",
        ).order_by("pk")


class PassageCommission(models.Model):
    """One prescription on one session's agenda, and the commission's decision on it."""

    session = models.ForeignKey(
        SessionCommission, on_delete=models.CASCADE, related_name="passages"
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="passages"
    )
    decision = models.CharField(
        "décision", max_length=10, choices=Decision.choices, blank=True, default=""
    )
    duree_mois = models.PositiveSmallIntegerField("durée du parcours (mois)", null=True, blank=True)
    motif_refus = models.ForeignKey(
        Frein,
        verbose_name="motif du refus",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commentaire = models.TextField("commentaire", blank=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décision saisie par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decide_le = models.DateTimeField("décision saisie le", null=True, blank=True)
    inscrit_le = models.DateTimeField("inscrite le", auto_now_add=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = "passage en commission"
        verbose_name_plural = "passages en commission"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prescription"],
                name="passage_unique_par_session",
                violation_error_message=(
                    "Cette prescription est déjà inscrite à l'ordre du jour de cette séance."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.VALIDEE) | Q(duree_mois__isnull=False),
                name="passage_validee_avec_duree",
                violation_error_message="Une prescription validée doit avoir sa durée de parcours.",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.REFUSEE) | Q(motif_refus__isnull=False),
                name="passage_refusee_avec_motif",
                violation_error_message="Une prescription refusée doit avoir son motif de refus.",
            ),
        ]

    def __str__(self):
        return f"{self.prescription.demandeur} ({self.get_decision_display() or 'à examiner'})"

    @property
    def version(self) -> str:
        """The decision as a member saw it (when it was last taken), "" before any: a
        decision corrected from the page is the one the member read (services.decider)."""
        return self.decide_le.isoformat() if self.decide_le else ""
