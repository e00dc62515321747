"""Exports for the DEL's own analyses: a form (what, which rows, which format) that downloads
the file, and the journal of nominative exports."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views import generic

from documents.telechargements import telecharger
from workflows.pages import ListeView

from .. import exports
from ..enums import ObjetExport
from ..filters import JournalExportFilter
from ..models import JournalExport


class ExportView(PermissionRequiredMixin, generic.TemplateView):
    """GET shows the form; POST downloads the file (and writes it in the journal), or shows
    the form again with its errors, and no file."""

    permission_required = "reporting.exporter_donnees"
    template_name = "reporting/exports/export.html"

    def get_context_data(self, filtres=None, **kwargs):
        user = self.request.user
        filtres = filtres or exports.FiltresExport(user=user)
        return super().get_context_data(
            form=filtres.form,
            exports=[
                (export.libelle, export.colonnes(user)) for export in exports.EXPORTS.values()
            ],
            pour_prestataire=exports.pour_prestataire(user),
            peut_lire_journal=user.has_perm("reporting.view_journalexport"),
            **kwargs,
        )

    def post(self, request):
        filtres = exports.FiltresExport(request.POST, user=request.user)
        if not filtres.is_valid():
            return self.render_to_response(self.get_context_data(filtres=filtres), status=400)
        fichier = exports.exporter(filtres)
        return telecharger(
            request.user,
            fichier.contenu,
            fichier.nom,
            fichier.objet,
            filtres=fichier.filtres,
            lignes=fichier.lignes,
        )


class JournalExportListView(PermissionRequiredMixin, ListeView):
    """Who exported which personal data, when, with which filters: newest first."""

    permission_required = "reporting.view_journalexport"
    template_name = "reporting/exports/journal.html"
    filterset_class = JournalExportFilter
    paginate_by = 50

    def get_queryset(self):
        return JournalExport.objects.select_related("utilisateur__prestataire").order_by(
            "-le", "-pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for entree in context["object_list"]:
            entree.filtres_lisibles = (
                exports.decrire_filtres(entree.filtres)
                if entree.objet in ObjetExport.values
                else "—"  # a document: no filter
            )
        return context
