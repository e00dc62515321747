from django.urls import path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="parcours",
        title="Parcours",
        icon="route",
        permission="prestataires.view_parcours",
        urlpatterns=[
            path("", views.ParcoursListView.as_view(), name="index"),
            path("<int:pk>/", views.ParcoursDetailView.as_view(), name="detail"),
            path("<int:pk>/stages/nouveau/", views.StageCreateView.as_view(), name="stage_add"),
            path("stages/<int:pk>/", views.StageDetailView.as_view(), name="stage"),
            path(
                "stages/<int:pk>/convention.pdf",
                views.ConventionPdfView.as_view(),
                name="convention",
            ),
        ],
    ),
    Rubrique(
        app_name="modules",
        title="Modules collectifs",
        icon="groups",
        permission="prestataires.view_modulecollectif",
        urlpatterns=[
            path("", views.ModuleListView.as_view(), name="index"),
            path("nouveau/", views.ModuleCreateView.as_view(), name="add"),
            path("<int:pk>/", views.ModuleDetailView.as_view(), name="detail"),
        ],
    ),
    Rubrique(
        app_name="entreprises",
        title="Entreprises d'accueil",
        icon="business",
        permission="prestataires.view_entreprise",
        urlpatterns=[
            path("", views.EntrepriseListView.as_view(), name="index"),
            path("nouvelle/", views.EntrepriseCreateView.as_view(), name="add"),
            path("<int:pk>/modifier/", views.EntrepriseUpdateView.as_view(), name="change"),
        ],
    ),
]
