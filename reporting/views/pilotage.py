from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views import generic

from procurement.models import today

from .. import pilotage


class TableauDeBordView(PermissionRequiredMixin, generic.TemplateView):
    """What is late or soon due, for the DEL's managers (a prestataire's direction: its own)."""

    permission_required = "reporting.consulter_indicateurs"
    template_name = "reporting/pilotage/tableau_de_bord.html"

    def get_context_data(self, **kwargs):
        jour = today()
        return super().get_context_data(
            jour=jour, listes=pilotage.tableau_de_bord(self.request.user, jour), **kwargs
        )
