"""The site assembled: each app declares its own pages (its `urls.applications`, in the
menu's order), the processes theirs (`workflows.viewsets`); the admin and the account pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

import accueil.urls
import bons_de_commande.urls
import prestataires.urls
import procurement.urls
import remunerations.urls
import reporting.urls
import travaux.urls
import workflows.viewsets
from accounts.forms import ChangementDeMotDePasseForm, NouveauMotDePasseForm

admin.site.site_header = "Parcours d'insertion : administration de la DEL"
admin.site.site_title = "Administration DEL"

site = Site(
    title="Parcours d'insertion DEL",
    primary_color="#0b4f6c",
    viewsets=[
        *accueil.urls.applications,
        *procurement.urls.applications,
        *bons_de_commande.urls.applications,
        *prestataires.urls.applications,
        *remunerations.urls.applications,
        *reporting.urls.applications,
        *travaux.urls.applications,
        *workflows.viewsets.applications,
    ],
)

handler500 = "config.views.erreur_serveur"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
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
