"""The CCTP indicators of a period, a lot and a prestataire, as tables and charts, and the
same figures as XLSX and PDF files. A prestataire's users read their own organisation's
figures only: the prestataire filter is forced to theirs.

The files of a period of more prescriptions than settings.TRAVAUX_LIGNES_IMMEDIATES are written
by a background job (travaux): the link leads to the job's page, which offers the file."""

from datetime import date

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views import generic

from documents.telechargements import reponse_fichier
from travaux.taches import lancer, travail_de_fond

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
        prescriptions = indicateurs.prescriptions_de_la_periode(
            filtres.du, filtres.au, lot=filtres.lot, prestataire=filtres.prestataire
        )
        if prescriptions.count() > settings.TRAVAUX_LIGNES_IMMEDIATES:
            travail = lancer(
                request.user,
                fichier_en_arriere_plan,
                f"Indicateurs ({format_.upper()}) : {filtres.perimetre}",
                parametres={
                    "du": filtres.du.isoformat(),
                    "au": filtres.au.isoformat(),
                    "lot": filtres.lot,
                    "prestataire": filtres.prestataire,
                    "format": format_,
                },
                permission=self.permission_required,
            )
            return redirect(travail)
        # Figures only, no person named: not a nominative download, so not journaled.
        return reponse_fichier(*fichier(filtres, format_))


def fichier(filtres, format_: str) -> tuple[bytes, str]:
    """The indicators' file of these filters: its bytes and its name."""
    donnees = indicateurs.calculer_indicateurs(
        filtres.du, filtres.au, lot=filtres.lot, prestataire=filtres.prestataire
    )
    if format_ == "pdf":
        contenu = indicateurs.pdf(donnees, filtres.perimetre)
    else:
        contenu = indicateurs.classeur(donnees)
    return contenu, f"{filtres.nom_de_fichier}.{format_}"


@travail_de_fond
def fichier_en_arriere_plan(travail, progression):
    """The file, for the filters the page checked (a prestataire's user's are forced to his
    own organisation then)."""
    parametres = travail.parametres
    filtres = annuel.Filtres(
        du=date.fromisoformat(parametres["du"]),
        au=date.fromisoformat(parametres["au"]),
        lot=parametres["lot"],
        prestataire=parametres["prestataire"],
    )
    travail.resultat, travail.resultat_nom = fichier(filtres, parametres["format"])
