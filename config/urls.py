"""The site assembled: each app declares its own pages (its `urls.applications`), the processes
theirs (`workflows.viewsets`); here they are grouped into the menu's headings (config/menu.py);
then the admin and the account pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

import accueil.urls
import bons_de_commande.urls
import prestataires.urls
import procurement.urls
import remunerations.urls
import reporting.urls
import travaux.urls
import workflows.viewsets
from accounts.forms import ChangementDeMotDePasseForm, NouveauMotDePasseForm
from config.menu import Groupe, SiteDEL

admin.site.site_header = "Parcours d'insertion : administration de la DEL"
admin.site.site_title = "Administration DEL"

site = SiteDEL(
    title="Parcours d'insertion DEL",
    primary_color="#0b4f6c",
    rubriques=[
        *accueil.urls.applications,
        *procurement.urls.applications,
        *bons_de_commande.urls.applications,
        *prestataires.urls.applications,
        *remunerations.urls.applications,
        *reporting.urls.applications,
        *travaux.urls.applications,
    ],
    groupes=[
        Groupe("Mon espace", ["accueil", "travaux"]),
        Groupe("Prescriptions et commission", ["demandeurs", "prescriptions", "seances"]),
        Groupe(
            "Commandes et parcours",
            ["commandes", "parcours", "modules", "entreprises", "bilans"],
        ),
        Groupe("Rémunération", ["remunerations"]),
        Groupe("Pilotage", ["pilotage", "indicateurs", "bilans_annuels"]),
        Groupe("Données", ["exports", "journal_exports", "imports"]),
        Groupe(
            "Suivi des processus",
            workflows.viewsets.applications,
            reserve_a=workflows.viewsets.DELFlowAppViewset.supervision,
        ),
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
