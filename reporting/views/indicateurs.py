"""The CCTP indicators of a period, a lot and a prestataire, as tables and charts, and the
same figures as XLSX and PDF files. A prestataire's users read their own organisation's
figures only: the prestataire filter is forced to theirs."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views import generic

from documents.telechargements import reponse_fichier

from .. import annuel, indicateurs
from ..forms_periode import PeriodeForm


class IndicateursMixin(PermissionRequiredMixin):
    permission_required = "reporting.consulter_indicateurs"
    template_name = "reporting/indicateurs/index.html"

    def formulaire(self) -> PeriodeForm:
        """The period typed; a bound left out is the current civil year's (1 January, today)."""
        donnees = PeriodeForm.par_defaut() | self.request.GET.dict()
        return PeriodeForm(donnees, user=self.request.user)

    def sans_chiffres(self, form):
        """Invalid input: the messages on the fields, and no figures."""
        return self.render_to_response({"form": form, "figures": None}, status=400)


class IndicateursView(IndicateursMixin, generic.TemplateView):
    def get(self, request, *args, **kwargs):
        form = self.formulaire()
        if not form.is_valid():
            return self.sans_chiffres(form)
        filtres = form.filtres()
        return self.render_to_response({"form": form, "figures": annuel.figures(filtres)})


class IndicateursExportView(IndicateursMixin, generic.TemplateView):
    """The same selection as a file: the workbook and the PDF of the `indicateurs` command."""

    def get(self, request, *args, format_, **kwargs):
        form = self.formulaire()
        if not form.is_valid():
            return self.sans_chiffres(form)
        filtres = form.filtres()
        donnees = indicateurs.calculer_indicateurs(
            filtres.du, filtres.au, lot=filtres.lot, prestataire=filtres.prestataire
        )
        if format_ == "pdf":
            contenu = indicateurs.pdf(donnees, filtres.perimetre)
        else:
            contenu = indicateurs.classeur(donnees)
        # Figures only, no person named: not a nominative download, so not journaled.
        return reponse_fichier(contenu, f"{filtres.nom_de_fichier}.{format_}")
