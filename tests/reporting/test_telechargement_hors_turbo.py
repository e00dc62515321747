"""Issue 18, item 1: a download must reach the user. viewflow's HotwireTurboMiddleware turns
the 200 of a form POST made through Turbo into a 422, and Turbo drops the answer: the export
page's file never arrived, while the journal had recorded it. The forms and links that answer
a file are therefore not followed by Turbo (`data-turbo="false"`): the browser posts or opens
them itself and saves the file (checked by hand in Chromium: one download, one journal line)."""

import re

from django.urls import reverse

from reporting.models import JournalExport
from tests.reporting.test_exports import exporter
from travaux.models import Travail

HORS_TURBO = 'data-turbo="false"'


def test_un_fichier_poste_par_turbo_serait_perdu():
    """Why: the same POST made by Turbo gets viewflow's 422, which Turbo discards."""
    from viewflow.middleware import HotwireTurboMiddleware

    class Requete:
        method = "POST"
        META = {"HTTP_X_REQUEST_FRAMEWORK": "Turbo"}

    class Reponse:
        status_code = 200

    assert HotwireTurboMiddleware(lambda requete: Reponse())(Requete()).status_code == 422


def test_le_formulaire_d_export_n_est_pas_soumis_par_turbo(client, demo_bilans):
    client.force_login(demo_bilans["gestionnaire1"])
    page = client.get(reverse("exports:index")).content.decode()
    (formulaire,) = re.findall(r"<form method=\"post\"[^>]*del-espace-avant[^>]*>", page)
    assert HORS_TURBO in formulaire
    # The browser's own POST answers the file at once, and one journal line.
    reponse = exporter(client, demo_bilans["gestionnaire1"], objet="demandeurs")
    assert reponse.status_code == 200 and reponse["Content-Disposition"].startswith("attachment")
    assert JournalExport.objects.count() == 1


def test_le_lien_du_fichier_prepare_n_est_pas_suivi_par_turbo(client, demo_bilans, settings):
    settings.TRAVAUX_LIGNES_IMMEDIATES = -1
    exporter(client, demo_bilans["gestionnaire1"], objet="demandeurs")
    travail = Travail.objects.get()
    page = client.get(travail.get_absolute_url()).content.decode()
    fichier = reverse("travaux:fichier", args=[travail.pk])
    (lien,) = re.findall(rf"<a [^>]*href=\"{fichier}\"[^>]*>", page)
    assert HORS_TURBO in lien
