"""Exports for the DEL's own analyses: a form (what, which rows, which format) that downloads
the file, and the journal of nominative exports.

An export of more rows than settings.TRAVAUX_LIGNES_IMMEDIATES is written by a background job
(travaux): the form leads to the job's page, which offers the file when it is ready. The
journal line is written when the user downloads it (travaux.views.FichierDuTravailView, through
documents.telechargements), as for a file handed out at once: the journal records who took
which personal data, and a job never downloaded handed nothing out."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views import generic

from documents.telechargements import telecharger
from travaux.taches import EchecDuTravail, lancer, travail_de_fond
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
            lignes_immediates=f"{settings.TRAVAUX_LIGNES_IMMEDIATES:,}".replace(",", "\u00a0"),
            **kwargs,
        )

    def post(self, request):
        filtres = exports.FiltresExport(request.POST, user=request.user)
        if not filtres.is_valid():
            return self.render_to_response(self.get_context_data(filtres=filtres), status=400)
        if filtres.qs.count() > settings.TRAVAUX_LIGNES_IMMEDIATES:
            parametres = {
                nom: valeur for nom, valeur in request.POST.items() if nom in filtres.form.fields
            }
            travail = lancer(
                request.user,
                exporter_en_arriere_plan,
                f"Export : {filtres.export.libelle.lower()}",
                parametres=parametres,
                permission=self.permission_required,
            )
            return redirect(travail)
        fichier = exports.exporter(filtres)
        return telecharger(
            request.user,
            fichier.contenu,
            fichier.nom,
            fichier.objet,
            filtres=fichier.filtres,
            lignes=fichier.lignes,
        )


@travail_de_fond
def exporter_en_arriere_plan(travail, progression):
    """The export's file, for the job's user (the rows he may see at the time it runs); the
    journal line waits for the download."""
    filtres = exports.FiltresExport(travail.parametres, user=travail.par)
    if not filtres.is_valid():  # the form was valid: a lot or a prestataire gone since
        raise EchecDuTravail(
            "Les filtres de cet export ne sont plus valables : refaites-le depuis la page des "
            "exports."
        )
    fichier = exports.exporter(filtres)
    travail.resultat_nom, travail.resultat = fichier.nom, fichier.contenu
    travail.rapport = {
        "journal": {"objet": fichier.objet, "filtres": fichier.filtres, "lignes": fichier.lignes}
    }


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
