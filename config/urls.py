from django.contrib import admin
from django.urls import path
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from procurement import views as procurement_views
from workflows import views as workflow_views
from workflows.flows import PrescriptionFlow
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
                path("", workflow_views.AccueilView.as_view(), name="index"),
                path(
                    "notifications/<int:pk>/lue/",
                    workflow_views.NotificationLueView.as_view(),
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
        DELFlowAppViewset(PrescriptionFlow, icon="account_tree", title="Processus"),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("", site.urls),
]
