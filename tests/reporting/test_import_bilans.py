"""Imported sessions owe their bilan de fin de parcours like any other (docs/contrats.md §2): the
demo's history file, imported on 24/11/2026, shows its late session as overdue, alerts the
managers, reminds the prestataire of the one soon due, and leaves the one already sent as
history."""

import json
from datetime import datetime
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from reporting.enums import EtatBilan
from reporting.models import BilanFinParcours
from tests.prestataires.conftest import NOUMEA, a
from tests.reporting.test_bilans_timers import minuteurs, notifications_du_bilan
from workflows.flows import BilanFlow
from workflows.taches import tache_en_attente

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


def destinataires(bilan) -> set[str]:
    return {n.destinataire.username for n in notifications_du_bilan(bilan)}


def test_an_imported_bilan_still_owed_is_followed_like_any_other(demo):
    """docs/domaine.md step 9: reminder 7 days before the due date, the managers alerted the day
    after it, for an imported session as for one ordered here."""
    with a("2026-11-24"):
        call_command("import_parcours", str(HISTORIQUE), stdout=StringIO())
    beta = BilanFinParcours.objects.get(bon__numero="BETA-2026-A")
    gamma = BilanFinParcours.objects.get(bon__numero="GAMMA-2026-A")
    assert tache_en_attente(beta.process, BilanFlow.rediger).status == "NEW"
    assert tache_en_attente(gamma.process, BilanFlow.rediger).status == "NEW"

    minuteurs(datetime(2026, 11, 24, 9, tzinfo=NOUMEA))
    # BETA's was due on 22/10: overdue at the import, the managers are told (no reminder for
    # a bilan already late); GAMMA's is due on 08/12, its reminder on 01/12.
    assert destinataires(beta) == {"gestionnaire1"}
    assert destinataires(gamma) == set()
    minuteurs(datetime(2026, 11, 30, 23, 59, tzinfo=NOUMEA))
    assert destinataires(gamma) == set()
    minuteurs(datetime(2026, 12, 1, 0, 0, tzinfo=NOUMEA))
    assert destinataires(gamma) == {"gamma1"}
    minuteurs(datetime(2026, 12, 9, 0, 0, tzinfo=NOUMEA))
    assert destinataires(gamma) == {"gamma1", "gestionnaire1"}
    beta.refresh_from_db()
    assert beta.rappel_envoye_le is None and beta.retard_signale_le is not None


def test_an_imported_bilan_already_sent_is_history_without_actions(demo, client):
    """A bilan the file gives as sent was examined by the DEL outside the application: no
    process, and its page offers neither writing nor examining it."""
    with a("2026-11-24"):
        call_command("import_parcours", str(HISTORIQUE), stdout=StringIO())
    alpha = BilanFinParcours.objects.get(bon__numero="ALPHA-2025-A")
    beta = BilanFinParcours.objects.get(bon__numero="BETA-2026-A")
    client.force_login(demo["gestionnaire1"])
    page = client.get(reverse("bilans:detail", args=[alpha.pk])).content.decode()
    assert " ; examiné par la DEL hors de l'application" in page
    assert "Accepter le bilan" not in page
    page = client.post(
        reverse("bilans:detail", args=[alpha.pk]), {"action": "accepter"}, follow=True
    ).content.decode()
    assert "transmis et examiné hors de l&#x27;application" in page
    alpha.refresh_from_db()
    assert (alpha.etat, alpha.accepte_le) == (EtatBilan.TRANSMIS, None)
    client.force_login(demo["alpha1"])
    page = client.get(reverse("bilans:detail", args=[alpha.pk])).content.decode()
    assert "Enregistrer et transmettre" not in page
    # The late one, followed, is written by its prestataire's direction from its page.
    client.force_login(demo["beta1"])
    page = client.get(reverse("bilans:detail", args=[beta.pk])).content.decode()
    assert "Enregistrer et transmettre à la DEL" in page
