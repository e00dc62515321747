"""The site assembled: each app declares its own pages (its `urls.applications`), the processes
theirs (`workflows.viewsets`); here they are grouped into the menu's headings (config/menu.py);
then the admin and the account pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
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


def _par_nom(*apps):
    return {app.app_name: app for app in apps}


_apps = _par_nom(
    *accueil.urls.applications,
    *procurement.urls.applications,
    *bons_de_commande.urls.applications,
    *prestataires.urls.applications,
    *remunerations.urls.applications,
    *reporting.urls.applications,
    *travaux.urls.applications,
)


def _rubriques(*noms):
    return [_apps.pop(nom) for nom in noms]


site = SiteDEL(
    title="Parcours d'insertion DEL",
    primary_color="#0b4f6c",
    groupes=[
        Groupe("Mon espace", _rubriques("accueil", "travaux")),
        Groupe("Prescriptions et commission", _rubriques("demandeurs", "prescriptions", "seances")),
        Groupe(
            "Commandes et parcours",
            _rubriques("commandes", "parcours", "modules", "entreprises", "bilans"),
        ),
        Groupe("Rémunération", _rubriques("remunerations")),
        Groupe("Pilotage", _rubriques("pilotage", "indicateurs", "bilans_annuels")),
        Groupe("Données", _rubriques("exports", "journal_exports", "imports")),
        Groupe(
            "Suivi des processus",
            workflows.viewsets.applications,
            reserve_a=workflows.viewsets.DELFlowAppViewset.supervision,
        ),
    ],
)
# An app's pages left out of the groups would have no URL at all: say so at once.
if _apps:
    raise ImproperlyConfigured(f"Rubriques sans groupe dans le menu : {sorted(_apps)}")

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
