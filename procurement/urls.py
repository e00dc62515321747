from django.urls import path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="demandeurs",
        title="Demandeurs d'emploi",
        icon="people",
        permission="procurement.view_demandeur",
        urlpatterns=[
            path("", views.DemandeurListView.as_view(), name="index"),
            path("nouveau/", views.DemandeurCreateView.as_view(), name="add"),
            path("<int:pk>/", views.DemandeurDetailView.as_view(), name="detail"),
            path("<int:pk>/modifier/", views.DemandeurUpdateView.as_view(), name="change"),
        ],
    ),
    Rubrique(
        app_name="prescriptions",
        title="Prescriptions",
        icon="assignment",
        permission="procurement.view_prescription",
        urlpatterns=[
            path("", views.PrescriptionListView.as_view(), name="index"),
            path("<int:pk>/", views.PrescriptionDetailView.as_view(), name="detail"),
        ],
    ),
    Rubrique(
        app_name="seances",
        title="Commission interne",
        icon="gavel",
        permission="procurement.view_sessioncommission",
        urlpatterns=[
            path("", views.SessionListView.as_view(), name="index"),
            path("<int:pk>/", views.SessionDetailView.as_view(), name="detail"),
            path(
                "<int:pk>/ordre-du-jour.pdf",
                views.OrdreDuJourPdfView.as_view(),
                name="ordre_du_jour",
            ),
            path(
                "<int:pk>/proces-verbal.pdf",
                views.ProcesVerbalPdfView.as_view(),
                name="proces_verbal",
            ),
        ],
    ),
]
