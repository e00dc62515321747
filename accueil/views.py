"""Each user's home page: the tasks waiting for them in every flow, their unread
notifications and recent prescriptions. It reads every app, so it sits above them all."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View, generic
from viewflow.workflow.models import Task

from accounts.roles import Role
from prestataires.models import Parcours
from procurement.models import Prescription, today
from workflows.models import Notification
from workflows.taches import ACTIVE_TASK_STATUSES, task_url

from . import echeances


def taches_de(user):
    """Human tasks waiting for this user, oldest first: those assigned to them, and those
    waiting in the queue of a team they belong to. A prestataire's queue holds only the tasks
    of its own orders, avenants and états de rémunération, and of the parcours its user
    follows."""
    en_file = Q(owner__isnull=True, owner_permission__in=user.get_all_permissions())
    if user.prestataire_id:
        en_file &= (
            Q(process__session_commission__prestataire_id=user.prestataire_id)
            | Q(process__avenant__bon__prestataire_id=user.prestataire_id)
            | Q(process__parcours__in=Parcours.objects.visibles_par(user))
            | Q(process__etat_remuneration__prestataire_id=user.prestataire_id)
            | Q(process__bilan__prestataire_id=user.prestataire_id)
        )
    return (
        Task.objects.filter(Q(owner=user) | en_file)
        .filter(status__in=ACTIVE_TASK_STATUSES, flow_task_type="HUMAN")
        .select_related(
            "process__prescription__demandeur",
            "process__prescription__lot",
            "process__session_commission__lot",
            "process__session_commission__prestataire",
            "process__session_commission__bon_de_commande__prestataire",
            "process__avenant__bon__prestataire",
            "process__parcours__demandeur",
            "process__parcours__lot",
            "process__parcours__prestataire",
            "process__parcours__ligne__bon",
            "process__parcours__ligne__avenant_ajout",
            "process__etat_remuneration__prestataire",
            "process__bilan__bon",
            "process__bilan__prestataire",
        )
        .order_by("created", "pk")
    )


# The home page starts with the tasks late and those due soon (accueil/echeances.py), then shows
# the oldest of the others and how many wait in all; every task is on the paginated list of
# them (TachesView).
TACHES_SUR_L_ACCUEIL = 20
TACHES_PAR_PAGE = 50
# The home page counts the waiting tasks up to this many ("plus de 1 000" beyond): counting
# every open task of a large prestataire (one per running parcours) would cost more than the
# rest of the page. The full list counts them all.
PLAFOND_DU_COMPTE = 1000


def compte(total: int, en_plus: int = 0) -> str:
    """A count of tasks counted up to PLAFOND_DU_COMPTE (and one more, to tell there are
    more), plus `en_plus` counted exactly."""
    if total > PLAFOND_DU_COMPTE:
        return f"plus de {PLAFOND_DU_COMPTE + en_plus:,}".replace(",", "\u202f")
    return str(total + en_plus)


def avec_liens(taches):
    """Each task with the page where to do it."""
    return [(task, task_url(task)) for task in taches]


def avec_echeances(taches):
    """Each task with the page where to do it and its due date (None: none known)."""
    return [(task, url, echeances.echeance_de(task)) for task, url in taches]


def prescriptions_recentes(user):
    prescriptions = Prescription.objects.pour_liste()
    if user.has_role(Role.CONSEILLER):
        return prescriptions.filter(conseiller=user)[:10]
    if user.has_role(Role.TRAVAILLEUR_SOCIAL):
        return prescriptions.filter(travailleur_social=user)[:10]
    if user.has_perm("procurement.view_prescription"):
        return prescriptions[:10]
    return Prescription.objects.none()


class AccueilView(LoginRequiredMixin, generic.TemplateView):
    template_name = "accueil/accueil.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        en_attente = taches_de(user)
        priorites = echeances.priorites(en_attente, today(), TACHES_SUR_L_ACCUEIL)
        autres = en_attente.exclude(priorites.urgentes)
        total = autres.order_by()[: PLAFOND_DU_COMPTE + 1].count()
        autres_taches = avec_liens(autres[:TACHES_SUR_L_ACCUEIL])
        return super().get_context_data(
            priorites=priorites,
            jour=priorites.jour,
            a_suivre=echeances.a_suivre(user, priorites.jour),
            # Every task the page shows, the most urgent first.
            taches=[(ligne.task, ligne.lien) for ligne in priorites.en_retard + priorites.bientot]
            + autres_taches,
            autres=avec_echeances(autres_taches),
            total_taches=min(total, PLAFOND_DU_COMPTE),
            compte_taches=compte(total),
            lien_vers_toutes=(
                total > TACHES_SUR_L_ACCUEIL
                or priorites.total_en_retard > len(priorites.en_retard)
                or priorites.total_bientot > len(priorites.bientot)
            ),
            compte_toutes=compte(
                total, en_plus=priorites.total_en_retard + priorites.total_bientot
            ),
            notifications=user.notifications.non_lues()[:20],
            prescriptions=prescriptions_recentes(user),
            roles=sorted(role.label for role in user.roles),
            **kwargs,
        )


class TachesView(LoginRequiredMixin, generic.ListView):
    """Every task waiting for the user, oldest first, page by page."""

    template_name = "accueil/taches.html"
    paginate_by = TACHES_PAR_PAGE

    def get_queryset(self):
        return taches_de(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["taches"] = avec_liens(context["object_list"])
        context["lignes"] = avec_echeances(context["taches"])
        context["jour"] = today()
        return context


class NotificationLueView(LoginRequiredMixin, View):
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, destinataire=request.user)
        notification.lue_le = timezone.now()
        notification.save(update_fields=["lue_le"])
        return redirect(notification.lien or reverse("accueil:index"))
