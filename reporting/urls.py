from django.urls import path, re_path

from workflows.pages import Rubrique

from .views import bilans, bilans_annuels, exports, importation, indicateurs, pilotage

applications = [
    Rubrique(
        app_name="pilotage",
        title="Tableau de bord",
        icon="dashboard",
        permission="reporting.consulter_indicateurs",
        urlpatterns=[path("", pilotage.TableauDeBordView.as_view(), name="index")],
    ),
    Rubrique(
        app_name="bilans",
        title="Bilans de fin de parcours",
        icon="fact_check",
        permission="reporting.view_bilanfinparcours",
        urlpatterns=[
            path("", bilans.BilanListView.as_view(), name="index"),
            path("<int:pk>/", bilans.BilanDetailView.as_view(), name="detail"),
            path("<int:pk>/bilan.pdf", bilans.BilanPdfView.as_view(), name="pdf"),
        ],
    ),
    Rubrique(
        app_name="exports",
        title="Exports",
        icon="download",
        permission="reporting.exporter_donnees",
        urlpatterns=[path("", exports.ExportView.as_view(), name="index")],
    ),
    # Its own entry: the administrateur reads the journal without exporting.
    Rubrique(
        app_name="journal_exports",
        title="Journal des exports",
        icon="history",
        permission="reporting.view_journalexport",
        urlpatterns=[path("", exports.JournalExportListView.as_view(), name="index")],
    ),
    Rubrique(
        app_name="indicateurs",
        title="Indicateurs",
        icon="insights",
        permission="reporting.consulter_indicateurs",
        urlpatterns=[
            path("", indicateurs.IndicateursView.as_view(), name="index"),
            re_path(
                r"^indicateurs\.(?P<format_>xlsx|pdf)$",
                indicateurs.IndicateursExportView.as_view(),
                name="export",
            ),
        ],
    ),
    Rubrique(
        app_name="bilans_annuels",
        title="Bilans annuels",
        icon="summarize",
        permission="reporting.view_bilanannuel",
        urlpatterns=[
            path("", bilans_annuels.BilanAnnuelListView.as_view(), name="index"),
            path("nouveau/", bilans_annuels.BilanAnnuelCreateView.as_view(), name="add"),
            path("<int:pk>/", bilans_annuels.BilanAnnuelDetailView.as_view(), name="detail"),
            re_path(
                r"^(?P<pk>\d+)/bilan-annuel\.(?P<format_>xlsx|pdf)$",
                bilans_annuels.BilanAnnuelExportView.as_view(),
                name="export",
            ),
        ],
    ),
    Rubrique(
        app_name="imports",
        title="Import de l'historique",
        icon="upload_file",
        permission="reporting.importer_parcours",
        urlpatterns=[
            path("", importation.ImportView.as_view(), name="index"),
            path("confirmer/", importation.ConfirmerImportView.as_view(), name="confirmer"),
        ],
    ),
]
