from django.urls import path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="travaux",
        title="Mes travaux",
        icon="hourglass_top",
        urlpatterns=[
            path("", views.MesTravauxView.as_view(), name="index"),
            path("<int:pk>/", views.TravailView.as_view(), name="detail"),
            path("<int:pk>/fichier/", views.FichierDuTravailView.as_view(), name="fichier"),
        ],
    ),
]
