from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from accounts.forms import ChangementDeMotDePasseForm, NouveauMotDePasseForm
from accueil import views as accueil_views
from bons_de_commande import views as commande_views
from prestataires import views as prestataire_views
from procurement import views as procurement_views
from remunerations import views as remuneration_views
from reporting.views import bilans as bilan_views
from reporting.views import bilans_annuels as bilan_annuel_views
from reporting.views import exports as export_views
from reporting.views import importation as import_views
from reporting.views import indicateurs as indicateur_views
from reporting.views import pilotage as pilotage_views
from workflows.flows import (
    AvenantFlow,
    BilanFlow,
    CommissionFlow,
    PrescriptionFlow,
    RemunerationFlow,
    SuiviParcoursFlow,
)
from workflows.viewsets import DELFlowAppViewset

admin.site.site_header = "Parcours d'insertion : administration de la DEL"
admin.site.site_title = "Administration DEL"

site = Site(
    title="Parcours d'insertion DEL",
    primary_color="#0b4f6c",
    viewsets=[
        Application(
            app_name="accueil",
            title="Accueil",
            icon="home",
            menu_template_name=None,
            urlpatterns=[
                path("", accueil_views.AccueilView.as_view(), name="index"),
                path(
                    "notifications/<int:pk>/lue/",
                    accueil_views.NotificationLueView.as_view(),
                    name="notification_lue",
                ),
            ],
        ),
        Application(
            app_name="demandeurs",
            title="Demandeurs d'emploi",
            icon="people",
            menu_template_name=None,
            permission="procurement.view_demandeur",
            urlpatterns=[
                path("", procurement_views.DemandeurListView.as_view(), name="index"),
                path("nouveau/", procurement_views.DemandeurCreateView.as_view(), name="add"),
                path("<int:pk>/", procurement_views.DemandeurDetailView.as_view(), name="detail"),
                path(
                    "<int:pk>/modifier/",
                    procurement_views.DemandeurUpdateView.as_view(),
                    name="change",
                ),
            ],
        ),
        Application(
            app_name="prescriptions",
            title="Prescriptions",
            icon="assignment",
            menu_template_name=None,
            permission="procurement.view_prescription",
            urlpatterns=[
                path("", procurement_views.PrescriptionListView.as_view(), name="index"),
                path(
                    "<int:pk>/", procurement_views.PrescriptionDetailView.as_view(), name="detail"
                ),
            ],
        ),
        Application(
            app_name="seances",
            title="Commission interne",
            icon="gavel",
            menu_template_name=None,
            permission="procurement.view_sessioncommission",
            urlpatterns=[
                path("", procurement_views.SessionListView.as_view(), name="index"),
                path("<int:pk>/", procurement_views.SessionDetailView.as_view(), name="detail"),
                path(
                    "<int:pk>/ordre-du-jour.pdf",
                    procurement_views.OrdreDuJourPdfView.as_view(),
                    name="ordre_du_jour",
                ),
                path(
                    "<int:pk>/proces-verbal.pdf",
                    procurement_views.ProcesVerbalPdfView.as_view(),
                    name="proces_verbal",
                ),
            ],
        ),
        Application(
            app_name="commandes",
            title="Bons de commande",
            icon="receipt_long",
            menu_template_name=None,
            permission="bons_de_commande.view_bondecommande",
            urlpatterns=[
                path("", commande_views.BonListView.as_view(), name="index"),
                path("<int:pk>/", commande_views.BonDetailView.as_view(), name="detail"),
                path("<int:pk>/pdf/", commande_views.BonPdfView.as_view(), name="pdf"),
                path(
                    "avenants/<int:pk>/pdf/",
                    commande_views.AvenantPdfView.as_view(),
                    name="avenant_pdf",
                ),
            ],
        ),
        Application(
            app_name="parcours",
            title="Parcours",
            icon="route",
            menu_template_name=None,
            permission="prestataires.view_parcours",
            urlpatterns=[
                path("", prestataire_views.ParcoursListView.as_view(), name="index"),
                path("<int:pk>/", prestataire_views.ParcoursDetailView.as_view(), name="detail"),
                path(
                    "<int:pk>/stages/nouveau/",
                    prestataire_views.StageCreateView.as_view(),
                    name="stage_add",
                ),
                path("stages/<int:pk>/", prestataire_views.StageDetailView.as_view(), name="stage"),
                path(
                    "stages/<int:pk>/convention.pdf",
                    prestataire_views.ConventionPdfView.as_view(),
                    name="convention",
                ),
            ],
        ),
        Application(
            app_name="modules",
            title="Modules collectifs",
            icon="groups",
            menu_template_name=None,
            permission="prestataires.view_modulecollectif",
            urlpatterns=[
                path("", prestataire_views.ModuleListView.as_view(), name="index"),
                path("nouveau/", prestataire_views.ModuleCreateView.as_view(), name="add"),
                path("<int:pk>/", prestataire_views.ModuleDetailView.as_view(), name="detail"),
            ],
        ),
        Application(
            app_name="entreprises",
            title="Entreprises d'accueil",
            icon="business",
            menu_template_name=None,
            permission="prestataires.view_entreprise",
            urlpatterns=[
                path("", prestataire_views.EntrepriseListView.as_view(), name="index"),
                path("nouvelle/", prestataire_views.EntrepriseCreateView.as_view(), name="add"),
                path(
                    "<int:pk>/modifier/",
                    prestataire_views.EntrepriseUpdateView.as_view(),
                    name="change",
                ),
            ],
        ),
        Application(
            app_name="remunerations",
            title="Rémunération des stagiaires",
            icon="payments",
            menu_template_name=None,
            permission="remunerations.view_etatremuneration",
            urlpatterns=[
                path("", remuneration_views.EtatListView.as_view(), name="index"),
                path("ouvrir/", remuneration_views.OuvrirEtatView.as_view(), name="ouvrir"),
                path("synthese/", remuneration_views.SyntheseView.as_view(), name="synthese"),
                path("<int:pk>/", remuneration_views.EtatDetailView.as_view(), name="detail"),
                re_path(
                    r"^(?P<pk>\d+)/export\.(?P<format_>xlsx|pdf)$",
                    remuneration_views.EtatExportView.as_view(),
                    name="export",
                ),
                re_path(
                    r"^mois/(?P<mois>\d{4}-\d{2})/export\.(?P<format_>xlsx|pdf)$",
                    remuneration_views.MoisExportView.as_view(),
                    name="export_mois",
                ),
                re_path(
                    r"^annee/(?P<annee>\d{4})/export\.(?P<format_>xlsx|pdf)$",
                    remuneration_views.AnneeExportView.as_view(),
                    name="export_annee",
                ),
            ],
        ),
        Application(
            app_name="pilotage",
            title="Tableau de bord",
            icon="dashboard",
            menu_template_name=None,
            permission="reporting.consulter_indicateurs",
            urlpatterns=[
                path("", pilotage_views.TableauDeBordView.as_view(), name="index"),
            ],
        ),
        Application(
            app_name="bilans",
            title="Bilans de fin de parcours",
            icon="fact_check",
            menu_template_name=None,
            permission="reporting.view_bilanfinparcours",
            urlpatterns=[
                path("", bilan_views.BilanListView.as_view(), name="index"),
                path("<int:pk>/", bilan_views.BilanDetailView.as_view(), name="detail"),
                path("<int:pk>/bilan.pdf", bilan_views.BilanPdfView.as_view(), name="pdf"),
            ],
        ),
        Application(
            app_name="exports",
            title="Exports",
            icon="download",
            menu_template_name=None,
            permission="reporting.exporter_donnees",
            urlpatterns=[path("", export_views.ExportView.as_view(), name="index")],
        ),
        # Its own application: the administrateur reads the journal without exporting.
        Application(
            app_name="journal_exports",
            title="Journal des exports",
            icon="history",
            menu_template_name=None,
            permission="reporting.view_journalexport",
            urlpatterns=[path("", export_views.JournalExportListView.as_view(), name="index")],
        ),
        Application(
            app_name="indicateurs",
            title="Indicateurs",
            icon="insights",
            menu_template_name=None,
            permission="reporting.consulter_indicateurs",
            urlpatterns=[
                path("", indicateur_views.IndicateursView.as_view(), name="index"),
                re_path(
                    r"^indicateurs\.(?P<format_>xlsx|pdf)$",
                    indicateur_views.IndicateursExportView.as_view(),
                    name="export",
                ),
            ],
        ),
        Application(
            app_name="bilans_annuels",
            title="Bilans annuels",
            icon="summarize",
            menu_template_name=None,
            permission="reporting.view_bilanannuel",
            urlpatterns=[
                path("", bilan_annuel_views.BilanAnnuelListView.as_view(), name="index"),
                path("nouveau/", bilan_annuel_views.BilanAnnuelCreateView.as_view(), name="add"),
                path(
                    "<int:pk>/", bilan_annuel_views.BilanAnnuelDetailView.as_view(), name="detail"
                ),
                re_path(
                    r"^(?P<pk>\d+)/bilan-annuel\.(?P<format_>xlsx|pdf)$",
                    bilan_annuel_views.BilanAnnuelExportView.as_view(),
                    name="export",
                ),
            ],
        ),
        Application(
            app_name="imports",
            title="Import de l'historique",
            icon="upload_file",
            menu_template_name=None,
            permission="reporting.importer_parcours",
            urlpatterns=[
                path("", import_views.ImportView.as_view(), name="index"),
                path("confirmer/", import_views.ConfirmerImportView.as_view(), name="confirmer"),
            ],
        ),
        DELFlowAppViewset(PrescriptionFlow, icon="account_tree", title="Processus"),
        DELFlowAppViewset(CommissionFlow, icon="account_tree", title="Processus : commissions"),
        DELFlowAppViewset(AvenantFlow, icon="account_tree", title="Processus : avenants"),
        DELFlowAppViewset(SuiviParcoursFlow, icon="account_tree", title="Processus : parcours"),
        DELFlowAppViewset(RemunerationFlow, icon="account_tree", title="Processus : rémunérations"),
        DELFlowAppViewset(BilanFlow, icon="account_tree", title="Processus : bilans"),
    ],
)

handler500 = "config.views.erreur_serveur"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/",
        AuthViewset(
            with_profile_view=False,
            pass_change_view=auth_views.PasswordChangeView.as_view(
                form_class=ChangementDeMotDePasseForm
            ),
            pass_reset_confirm_view=auth_views.PasswordResetConfirmView.as_view(
                form_class=NouveauMotDePasseForm
            ),
        ).urls,
    ),
    path("", site.urls),
]
