"""The flows' task views: viewflow runs their activation (lock, transaction, the task's
completion); procurement's rules do the work inside it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View, generic

from procurement import services
from procurement.enums import EtatPrescription
from procurement.forms import MotifForm, PrescriptionForm, SessionCommissionForm
from procurement.models import Demandeur, Prescription

from .history import historique

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
        services.lancer_prescription(
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
        session = services.lancer_session(
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
