from django.urls import path, re_path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="remunerations",
        title="Rémunération des stagiaires",
        icon="payments",
        permission="remunerations.view_etatremuneration",
        urlpatterns=[
            path("", views.EtatListView.as_view(), name="index"),
            path("ouvrir/", views.OuvrirEtatView.as_view(), name="ouvrir"),
            path("synthese/", views.SyntheseView.as_view(), name="synthese"),
            path("<int:pk>/", views.EtatDetailView.as_view(), name="detail"),
            re_path(
                r"^(?P<pk>\d+)/export\.(?P<format_>xlsx|pdf)$",
                views.EtatExportView.as_view(),
                name="export",
            ),
            re_path(
                r"^mois/(?P<mois>\d{4}-\d{2})/export\.(?P<format_>xlsx|pdf)$",
                views.MoisExportView.as_view(),
                name="export_mois",
            ),
            re_path(
                r"^annee/(?P<annee>\d{4})/export\.(?P<format_>xlsx|pdf)$",
                views.AnneeExportView.as_view(),
                name="export_annee",
            ),
        ],
    ),
]
