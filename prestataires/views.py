"""The parcours a prestataire was ordered: its own only; the DEL reads them all."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views import generic

from workflows.history import historique

from .enums import EtatParcours
from .models import Parcours


class ParcoursVisiblesMixin(PermissionRequiredMixin):
    permission_required = "prestataires.view_parcours"

    def get_queryset(self):
        return Parcours.objects.visibles_par(self.request.user).pour_liste()


class ParcoursListView(ParcoursVisiblesMixin, generic.ListView):
    template_name = "prestataires/parcours_list.html"
    paginate_by = 50

    def get_queryset(self):
        parcours = super().get_queryset().order_by("-cree_le", "-pk")
        etat = self.request.GET.get("etat", "")
        if etat in EtatParcours.values:
            parcours = parcours.filter(etat=etat)
        return parcours

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            etats=EtatParcours.choices, etat=self.request.GET.get("etat", ""), **kwargs
        )


class ParcoursDetailView(ParcoursVisiblesMixin, generic.DetailView):
    template_name = "prestataires/parcours_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("demandeur__commune", "ligne__prescription")

    def get_context_data(self, **kwargs):
        prescription = self.object.ligne.prescription
        return super().get_context_data(
            prescription=prescription,
            freins=prescription.freins.all(),
            historique=historique(self.object),
            **kwargs,
        )
