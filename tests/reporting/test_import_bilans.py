"""Imported sessions owe their bilan de fin de parcours like any other (CONTRACTS.md §2): the
demo's history file, imported on 24/11/2026, shows its late session as overdue."""

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from reporting.enums import EtatBilan
from reporting.models import BilanFinParcours
from tests.prestataires.conftest import a

HISTORIQUE = Path(settings.BASE_DIR) / "demo" / "historique_parcours.csv"


def test_imported_sessions_owe_their_bilan(demo):
    with a("2026-11-24"):
        call_command("import_parcours", str(HISTORIQUE), stdout=StringIO())
    transmis = BilanFinParcours.objects.get(bon__numero="ALPHA-2025-A")
    assert (transmis.etat, str(transmis.transmis_le), transmis.process_id) == (
        EtatBilan.TRANSMIS,
        "2025-10-20",
        None,
    )
    beta = BilanFinParcours.objects.get(bon__numero="BETA-2026-A")
    # HNAWIA, the last of the session, left on 22/09/2026: due one month later.
    assert (str(beta.fin_session), str(beta.echeance)) == ("2026-09-22", "2026-10-22")

    with a("2026-11-24"):
        sortie = StringIO()
        call_command("bilans_en_retard", stdout=sortie)
    assert json.loads(sortie.getvalue()) == [
        {
            "session": "BETA-2026-A",
            "prestataire": "BETA",
            "lot": 1,
            "fin_session": "2026-09-22",
            "echeance": "2026-10-22",
            "jours_de_retard": 33,
        }
    ]
    # GAMMA's session (lot 2) ended on 08/11/2026: its bilan is due on 08/12, not late yet.
    gamma = BilanFinParcours.objects.get(bon__numero="GAMMA-2026-A")
    assert str(gamma.echeance) == "2026-12-08" and gamma.retard_signale_le is None
