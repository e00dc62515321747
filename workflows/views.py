"""Task views of the flows, and each user's home page (their work)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View, generic
from viewflow.workflow.models import Task

from accounts.roles import Role
from prestataires.models import Parcours
from procurement import services
from procurement.enums import EtatPrescription
from procurement.forms import MotifForm, PrescriptionForm, SessionCommissionForm
from procurement.models import Demandeur, Prescription
from procurement.services import lancer_prescription, lancer_session

from .history import historique
from .models import Notification
from .taches import ACTIVE_TASK_STATUSES, task_url

# --- Prescription flow ----------------------------------------------------------------------


def demande_transmission(request) -> bool:
    """The conseiller pressed "Transmettre" rather than "Enregistrer le brouillon"."""
    return request.POST.get("action") == "transmettre"


class PrescrireView(generic.FormView):
    """Start of the flow: the conseiller prescribes a demandeur chosen on their file."""

    template_name = "workflows/prescrire.html"
    form_class = PrescriptionForm

    def dispatch(self, request, *args, **kwargs):
        demandeur_pk = request.GET.get("demandeur", "")
        if not demandeur_pk.isdigit():
            messages.info(request, "Choisissez d'abord le demandeur à prescrire.")
            return redirect("demandeurs:index")
        self.demandeur = get_object_or_404(Demandeur, pk=demandeur_pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "demandeur": self.demandeur,
            "instance": Prescription(demandeur=self.demandeur, conseiller=self.request.user),
            "transmettre": demande_transmission(self.request),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(demandeur=self.demandeur, **kwargs)

    def form_valid(self, form):
        prescription = form.save(commit=False)
        lancer_prescription(
            self.request.activation,
            prescription,
            par=self.request.user,
            freins=form.cleaned_data["freins"],
            transmettre=form.transmettre,
        )
        messages.success(self.request, _message_apres(prescription))
        return redirect(prescription.get_absolute_url())


def _message_apres(prescription):
    if prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE:
        return (
            f"Prescription n° {prescription.pk} transmise à "
            f"{prescription.travailleur_social} pour co-signature."
        )
    if prescription.etat == EtatPrescription.SOUMISE:
        return f"Prescription n° {prescription.pk} soumise à la commission."
    return f"Prescription n° {prescription.pk} enregistrée comme brouillon."


class PrescriptionTaskMixin:
    @property
    def prescription(self):
        return self.request.activation.process.prescription

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            prescription=self.prescription,
            demandeur=self.prescription.demandeur,
            historique=historique(self.prescription),
            **kwargs,
        )


class CompleterView(PrescriptionTaskMixin, generic.FormView):
    """The conseiller completes a draft (or one sent back), then transmits or withdraws it."""

    template_name = "workflows/completer.html"
    form_class = PrescriptionForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "demandeur": self.prescription.demandeur,
            "instance": self.prescription,
            "transmettre": demande_transmission(self.request),
        }

    def get_context_data(self, **kwargs):
        kwargs.setdefault("motif_form", MotifForm(prefix="retrait"))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "retirer":
            motif_form = MotifForm(request.POST, prefix="retrait")
            if not motif_form.is_valid():
                # The prescription itself was not submitted: show it as saved, unbound.
                form = self.form_class(
                    demandeur=self.prescription.demandeur, instance=self.prescription
                )
                return self.render_to_response(
                    self.get_context_data(form=form, motif_form=motif_form)
                )
            services.retirer(
                self.prescription, par=request.user, motif=motif_form.cleaned_data["motif"]
            )
            request.activation.execute()
            messages.success(request, f"Prescription n° {self.prescription.pk} retirée.")
            return redirect(self.prescription.get_absolute_url())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        prescription = form.save()
        if not form.transmettre:
            messages.success(self.request, "Brouillon enregistré.")
            return redirect(self.request.get_full_path())
        services.transmettre(prescription, par=self.request.user)
        self.request.activation.execute()
        messages.success(self.request, _message_apres(prescription))
        return redirect(prescription.get_absolute_url())


class CosignerView(PrescriptionTaskMixin, generic.FormView):
    """The travailleur social of the binôme co-signs, or sends back with a comment."""

    template_name = "workflows/cosigner.html"
    form_class = MotifForm
    prefix = "renvoi"

    def post(self, request, *args, **kwargs):
        prescription = self.prescription
        try:
            if request.POST.get("action") == "cosigner":
                services.cosigner(prescription, par=request.user)
                message = f"Prescription n° {prescription.pk} co-signée et soumise à la commission."
            else:
                form = self.get_form()
                if not form.is_valid():
                    return self.form_invalid(form)
                services.renvoyer(prescription, par=request.user, motif=form.cleaned_data["motif"])
                message = f"Prescription n° {prescription.pk} renvoyée à {prescription.conseiller}."
        except PermissionDenied as refus:
            messages.error(request, str(refus))
            return redirect(prescription.get_absolute_url())
        request.activation.execute()
        messages.success(request, message)
        return redirect(prescription.get_absolute_url())


# --- Commission and orders -------------------------------------------------------------------


class OuvrirSessionView(generic.FormView):
    """Start of the commission flow: the gestionnaire sets the date, lot, prestataire, members."""

    template_name = "workflows/ouvrir_session.html"
    form_class = SessionCommissionForm

    def form_valid(self, form):
        session = lancer_session(
            self.request.activation,
            form.save(commit=False),
            par=self.request.user,
            membres_del=form.cleaned_data["membres_del"],
            membres_prestataire=form.cleaned_data["membres_prestataire"],
        )
        messages.success(
            self.request, f"{session} ouverte : inscrivez les prescriptions à son ordre du jour."
        )
        return redirect(session.get_absolute_url())


class VersDossierView(View):
    """A commission or order task is done on its record's page, where every member of the
    team sees the same agenda, order and actions: the task's page leads there."""

    def get(self, request, *args, **kwargs):
        activation = request.activation
        return redirect(activation.flow_class.instance.url_dossier(activation.process))


# --- Home page ------------------------------------------------------------------------------


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
            "process__session_commission__bon_de_commande",
            "process__avenant__bon",
            "process__parcours__demandeur",
            "process__etat_remuneration__prestataire",
        )
        .order_by("created")
    )


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
    template_name = "workflows/accueil.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        taches = [(task, task_url(task)) for task in taches_de(user)]
        return super().get_context_data(
            taches=taches,
            notifications=user.notifications.non_lues()[:20],
            prescriptions=prescriptions_recentes(user),
            roles=sorted(role.label for role in user.roles),
            **kwargs,
        )


class NotificationLueView(LoginRequiredMixin, View):
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, destinataire=request.user)
        notification.lue_le = timezone.now()
        notification.save(update_fields=["lue_le"])
        return redirect(notification.lien or reverse("accueil:index"))
