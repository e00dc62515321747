"""In the browser: the gestionnaire drops the demo's history file on the import page, reads
the preview of its background job, confirms, and finds the imported sessions."""

import re
from pathlib import Path

from django.conf import settings

from procurement.models import Prescription

HISTORIQUE = Path(settings.BASE_DIR) / "demo" / "historique_parcours.csv"


def test_a_history_file_is_read_then_imported_through_the_page(navigateur):
    avant = Prescription.objects.count()

    navigateur.connecter("gestionnaire1")
    navigateur.lien("Import de l'historique")
    navigateur.deposer("Fichier de suivi (.csv ou .xlsx)", HISTORIQUE)
    navigateur.bouton("Relire le fichier")
    assert "Aperçu de historique_parcours.csv" in navigateur.texte()
    assert "12 lignes : 12 à créer" in navigateur.texte()
    assert Prescription.objects.count() == avant

    navigateur.bouton(re.compile(r"^Importer ces 12 lignes"))
    assert "Import de historique_parcours.csv" in navigateur.texte()
    assert Prescription.objects.count() == avant + 12

    navigateur.lien("Bilans de fin de parcours")
    assert "BETA-2026-A" in navigateur.texte()
