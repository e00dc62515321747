from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.views import generic

from procurement.models import today

from .. import pilotage


class TableauDeBordView(PermissionRequiredMixin, generic.TemplateView):
    """What is late or soon due, for the DEL's managers (a prestataire's direction: its own):
    the first page of each list, or (`?liste=`) one list in full, page by page."""

    permission_required = "reporting.consulter_indicateurs"
    template_name = "reporting/pilotage/tableau_de_bord.html"

    def get_context_data(self, **kwargs):
        jour, user = today(), self.request.user
        cle = self.request.GET.get("liste")
        if cle is None:
            return super().get_context_data(
                jour=jour, listes=pilotage.tableau_de_bord(user, jour), **kwargs
            )
        liste = pilotage.liste_complete(user, jour, cle, self.request.GET.get("page"))
        if liste is None:
            raise Http404("Cette liste n'existe pas.")
        return super().get_context_data(
            jour=jour,
            listes=[liste],
            liste_complete=liste,
            page_obj=liste.page,
            is_paginated=liste.page.paginator.num_pages > 1,
            **kwargs,
        )
