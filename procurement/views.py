"""Pages of the DEL staff: demandeurs d'emploi and prescriptions."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.views import generic

from accounts.roles import Role
from workflows.flows import PrescriptionFlow
from workflows.history import historique
from workflows.views import ACTIVE_TASK_STATUSES, task_url

from .enums import EtatPrescription
from .forms import DemandeurForm
from .models import Commune, Demandeur, Lot, Prescription
from .text import normalise


class DemandeurListView(PermissionRequiredMixin, generic.ListView):
    permission_required = "procurement.view_demandeur"
    template_name = "procurement/demandeur_list.html"
    paginate_by = 25

    def get_queryset(self):
        demandeurs = Demandeur.objects.select_related("commune").order_by("nom", "prenom", "pk")
        recherche = normalise(self.request.GET.get("q", ""))
        if recherche:
            demandeurs = demandeurs.filter(cle_doublon__contains=recherche)
        return demandeurs


class DemandeurFormMixin(PermissionRequiredMixin):
    model = Demandeur
    form_class = DemandeurForm
    template_name = "procurement/demandeur_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(communes=Commune.objects.all(), **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # Two conseillers registering the same person at the same moment.
            form.add_error("nom", "Ce demandeur vient d'être enregistré par un collègue.")
            return self.form_invalid(form)
        messages.success(self.request, f"Fiche de {self.object} enregistrée.")
        return response


class DemandeurCreateView(DemandeurFormMixin, generic.CreateView):
    permission_required = "procurement.add_demandeur"

    def form_valid(self, form):
        form.instance.cree_par = self.request.user
        return super().form_valid(form)


class DemandeurUpdateView(DemandeurFormMixin, generic.UpdateView):
    permission_required = "procurement.change_demandeur"


class DemandeurDetailView(PermissionRequiredMixin, generic.DetailView):
    permission_required = "procurement.view_demandeur"
    model = Demandeur
    template_name = "procurement/demandeur_detail.html"

    def get_queryset(self):
        return Demandeur.objects.select_related("commune", "niveau_formation", "cree_par")

    def get_context_data(self, **kwargs):
        peut_prescrire = PrescriptionFlow.prescrire.can_execute(self.request.user, None)
        return super().get_context_data(
            prescriptions=self.object.prescriptions.pour_liste(),
            url_prescrire=(
                f"{PrescriptionFlow.prescrire.reverse('execute')}?demandeur={self.object.pk}"
                if peut_prescrire
                else None
            ),
            **kwargs,
        )


class PrescriptionListView(PermissionRequiredMixin, generic.ListView):
    permission_required = "procurement.view_prescription"
    template_name = "procurement/prescription_list.html"
    paginate_by = 25

    def get_queryset(self):
        prescriptions = Prescription.objects.pour_liste().order_by("-date_prescription", "-pk")
        get = self.request.GET
        if get.get("etat") in EtatPrescription.values:
            prescriptions = prescriptions.filter(etat=get["etat"])
        if get.get("lot", "").isdigit():
            prescriptions = prescriptions.filter(lot__numero=get["lot"])
        if self.mes_prescriptions:
            user = self.request.user
            prescriptions = prescriptions.filter(Q(conseiller=user) | Q(travailleur_social=user))
        return prescriptions

    @property
    def mes_prescriptions(self):
        user = self.request.user
        defaut = "1" if user.has_role(Role.CONSEILLER, Role.TRAVAILLEUR_SOCIAL) else ""
        return self.request.GET.get("mes", defaut) == "1"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            etats=EtatPrescription.choices,
            lots=Lot.objects.all(),
            mes=self.mes_prescriptions,
            **kwargs,
        )


class PrescriptionDetailView(PermissionRequiredMixin, generic.DetailView):
    permission_required = "procurement.view_prescription"
    model = Prescription
    template_name = "procurement/prescription_detail.html"

    def get_queryset(self):
        return Prescription.objects.pour_liste().select_related(
            "travailleur_social", "demandeur__commune", "demandeur__niveau_formation"
        )

    def get_context_data(self, **kwargs):
        prescription = self.object
        ma_tache = None
        if prescription.process_id:
            tache = prescription.process.task_set.filter(
                owner=self.request.user, status__in=ACTIVE_TASK_STATUSES
            ).first()
            ma_tache = (tache, task_url(tache)) if tache else None
        return super().get_context_data(
            freins=prescription.freins.all(),
            historique=historique(prescription),
            ma_tache=ma_tache,
            url_processus=(
                PrescriptionFlow.instance.reverse("process_detail", args=[prescription.process_id])
                if prescription.process_id
                else None
            ),
            **kwargs,
        )
