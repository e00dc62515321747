from django.urls import path

from workflows.pages import Rubrique

from . import views

applications = [
    Rubrique(
        app_name="commandes",
        title="Bons de commande",
        icon="receipt_long",
        permission="bons_de_commande.view_bondecommande",
        urlpatterns=[
            path("", views.BonListView.as_view(), name="index"),
            path("<int:pk>/", views.BonDetailView.as_view(), name="detail"),
            path("<int:pk>/pdf/", views.BonPdfView.as_view(), name="pdf"),
            path("avenants/<int:pk>/pdf/", views.AvenantPdfView.as_view(), name="avenant_pdf"),
        ],
    ),
]
