"""When a session's bilan de fin de parcours is due, who is reminded and alerted, and the
`bilans_en_retard` command (docs/domaine.md step 9; docs/contrats.md §5).

The demo is seeded on 24/11/2026: ALPHA's summer session BC-2026-0001 (WAIA, OUNEMOA, GOPOEA,
all running) ends with GOPOEA's planned end on 28/05/2027, so its bilan is due on 28/06/2027;
ALPHA's November order BC-2026-0002 waits for KAOUMA's entry (TEANYOUEN withdrew)."""

import csv
import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase

from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from prestataires import services as parcours_services
from prestataires.models import Parcours
from reporting import bilans
from reporting import services as reporting_services
from reporting.enums import AtteinteObjectifs, EtatBilan
from reporting.models import echeance_du_bilan
from tests.prestataires.conftest import NOUMEA, a
from workflows.models import Notification

from .conftest import (
    ECHEANCE_ETE,
    FIN_ETE,
    SESSION_ETE,
    SESSION_NOVEMBRE,
    a_minuit,
    bilan_de,
    minuteries,
    parcours_de,
    sortie_anticipee,
)

COLONNES = ["session", "prestataire", "lot", "fin_session", "echeance", "jours_de_retard"]


def retards(*arguments) -> list[dict]:
    """`bilans_en_retard` as a script calls it, its JSON read back."""
    sortie = StringIO()
    call_command("bilans_en_retard", *arguments, stdout=sortie)
    return json.loads(sortie.getvalue())


def sessions_en_retard(*arguments) -> list[str]:
    return [retard["session"] for retard in retards(*arguments)]


def minuteurs(moment: datetime):
    """Run the timer dispatcher, as cron does, at that moment: its work commits (the e-mails
    leave then)."""
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("workflow_timers", stdout=StringIO())


def notifications_du_bilan(bilan) -> list[Notification]:
    return list(Notification.objects.filter(message__startswith=str(bilan)).order_by("pk"))


def courriels_du_bilan(bilan) -> list:
    return [courriel for courriel in mail.outbox if bilan.session in courriel.subject]


# --- The due date: one calendar month after the end of the session --------------------------


@pytest.mark.parametrize(
    ("fin_session", "echeance"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2027, 4, 30), date(2027, 5, 30)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 5, 28), date(2027, 6, 28)),
        (None, None),  # the session's end is not known yet
    ],
)
def test_echeance_un_mois_calendaire_apres_la_fin_de_session(fin_session, echeance):
    """docs/domaine.md step 9: the bilan is due one calendar month after the end of the session; a
    day that does not exist in that month is its last day (31 January -> 28 or 29 February)."""
    assert echeance_du_bilan(fin_session) == echeance


@pytest.mark.parametrize(
    ("derniere_sortie", "echeance"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 4, 30), date(2027, 5, 30)),
    ],
)
def test_echeance_d_une_session_dont_le_dernier_sorti_part_en_fin_de_mois(
    demo_bilans, derniere_sortie, echeance
):
    """docs/domaine.md step 9: once everyone has left, the session ends on the last exit, and its
    bilan is due one calendar month later, its timers moved to that due date."""
    alpha1 = demo_bilans["alpha1"]
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2027, 1, 15))
    sortie_anticipee(parcours_de("OUNEMOA"), alpha1, date(2027, 1, 20))
    sortie_anticipee(parcours_de("GOPOEA"), alpha1, derniere_sortie, type_fin="rupture_stagiaire")

    bilan = bilan_de(SESSION_ETE)
    assert bilans.fin_de_session(bilan.bon) == derniere_sortie
    assert (bilan.fin_session, bilan.echeance) == (derniere_sortie, echeance)
    assert minuteries(bilan) == [
        a_minuit(echeance - timedelta(days=7)),
        a_minuit(echeance + timedelta(days=1)),
    ]


def test_echeance_d_une_session_qui_finit_le_31_janvier_d_une_annee_bissextile(demo_bilans):
    """docs/domaine.md step 9: a session whose last parcours is planned to end on 31/01/2028 owes
    its bilan on 29/02/2028 (the planned end is written straight to the database: no demo parcours
    runs that long)."""
    gopoea = parcours_de("GOPOEA")
    Parcours.objects.filter(pk=gopoea.pk).update(fin_prevue=date(2028, 1, 31))
    bilan = bilan_de(SESSION_ETE)
    assert bilans.actualiser_echeance(bilan)
    bilan.refresh_from_db()
    assert (bilan.fin_session, bilan.echeance) == (date(2028, 1, 31), date(2028, 2, 29))


# --- The end of the session follows its parcours ------------------------------------------


def test_la_session_finit_avec_son_dernier_parcours_et_les_minuteries_suivent(demo_bilans):
    """docs/domaine.md step 9: a session ends when the last of its parcours ends (its exit, or its
    planned end while it runs); not known while one has not entered; a withdrawn person does
    not count; a suspension moves the planned end, so the due date and the scheduled timers
    (reminder 7 days before, overdue alert the day after, at midnight Nouméa); an early exit
    of the last runner brings it earlier."""
    alpha1, alpha2 = demo_bilans["alpha1"], demo_bilans["alpha2"]

    # Everyone runs: the latest planned end, GOPOEA's (WAIA's is 30/03, OUNEMOA's 28/02).
    ete = bilan_de(SESSION_ETE)
    assert [p.fin_prevue for p in map(parcours_de, ("WAIA", "OUNEMOA", "GOPOEA"))] == [
        date(2027, 3, 30),
        date(2027, 2, 28),
        FIN_ETE,
    ]
    assert bilans.fin_de_session(ete.bon) == FIN_ETE
    assert (ete.fin_session, ete.echeance) == (FIN_ETE, ECHEANCE_ETE)
    assert minuteries(ete) == [a_minuit(date(2027, 6, 21)), a_minuit(date(2027, 6, 29))]
    # Midnight in Nouméa is 13:00 UTC the day before.
    assert minuteries(ete)[0] == datetime(2027, 6, 20, 13, tzinfo=UTC)

    # KAOUMA has not entered: the November session's end is not known, its timers wait.
    novembre = bilan_de(SESSION_NOVEMBRE)
    assert bilans.fin_de_session(novembre.bon) is None
    assert (novembre.fin_session, novembre.echeance) == (None, None)
    assert minuteries(novembre) == [a_minuit(date(2100, 1, 1))] * 2
    # KAOUMA enters; TEANYOUEN, withdrawn before entering, does not hold the session open.
    assert parcours_de("TEANYOUEN").etat == "annule"
    with a("2026-11-24", heure=10):
        parcours_services.entrer(parcours_de("KAOUMA"), par=alpha2,
                                 date_premier_contact=date(2026, 11, 20),
                                 date_entree=date(2026, 11, 24))  # fmt: skip
    novembre.refresh_from_db()
    assert (novembre.fin_session, novembre.echeance) == (date(2027, 5, 23), date(2027, 6, 23))
    assert minuteries(novembre) == [a_minuit(date(2027, 6, 16)), a_minuit(date(2027, 6, 24))]

    # GOPOEA suspended 10 days: the session ends 10 days later, and so is everything due.
    gopoea = parcours_de("GOPOEA")
    with a("2026-11-25"):
        parcours_services.suspendre(gopoea, par=alpha1, debut=date(2026, 11, 25), motif="sante")
    with a("2026-12-05"):
        parcours_services.reprendre(gopoea, par=alpha1, reprise=date(2026, 12, 5))
    ete.refresh_from_db()
    assert (ete.fin_session, ete.echeance) == (date(2027, 6, 7), date(2027, 7, 7))
    assert minuteries(ete) == [a_minuit(date(2027, 6, 30)), a_minuit(date(2027, 7, 8))]

    # GOPOEA leaves early: WAIA, still running, is now the last to end (30/03/2027).
    sortie_anticipee(gopoea, alpha1, date(2027, 1, 10))
    ete.refresh_from_db()
    assert (ete.fin_session, ete.echeance) == (date(2027, 3, 30), date(2027, 4, 30))
    assert minuteries(ete) == [a_minuit(date(2027, 4, 23)), a_minuit(date(2027, 5, 1))]

    # Everyone has left: the last exit.
    sortie_anticipee(parcours_de("OUNEMOA"), alpha1, date(2027, 2, 1))
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2027, 2, 5))
    ete.refresh_from_db()
    assert bilans.fin_de_session(ete.bon) == date(2027, 2, 5)
    assert (ete.fin_session, ete.echeance) == (date(2027, 2, 5), date(2027, 3, 5))
    assert minuteries(ete) == [a_minuit(date(2027, 2, 26)), a_minuit(date(2027, 3, 6))]


# --- Reminder and overdue alert -------------------------------------------------------------


def test_rappel_a_la_direction_du_prestataire_sept_jours_avant_l_echeance(demo_bilans):
    """docs/domaine.md step 9 (decision): 7 days before the due date, at midnight Nouméa time, the
    prestataire's direction (and only it) is reminded once, by notification and e-mail."""
    bilan = bilan_de(SESSION_ETE)
    assert bilan.echeance == date(2027, 6, 28)

    minuteurs(datetime(2027, 6, 20, 23, 59, tzinfo=NOUMEA))
    assert notifications_du_bilan(bilan) == []
    bilan.refresh_from_db()
    assert bilan.rappel_envoye_le is None

    minuit = datetime(2027, 6, 20, 13, tzinfo=UTC)  # 21/06/2027 00:00 in Nouméa
    minuteurs(minuit)
    rappels = notifications_du_bilan(bilan)
    assert [n.destinataire.username for n in rappels] == ["alpha1"]
    assert rappels[0].message == (
        f"Bilan de fin de parcours de la session {SESSION_ETE} : à transmettre au plus tard le "
        "28/06/2027."
    )
    assert rappels[0].lien == bilan.get_absolute_url()
    assert [c.to for c in courriels_du_bilan(bilan)] == [["alpha1@demo.del.nc"]]
    bilan.refresh_from_db()
    assert bilan.rappel_envoye_le == minuit
    # Not to ALPHA's chargé d'insertion, nor to another prestataire's direction.
    assert not Notification.objects.filter(
        destinataire__username__in=("alpha2", "beta1"), message__contains=SESSION_ETE
    ).exists()
    # The bilan is still to write: the reminder does not interrupt the task.
    assert bilan.etat == EtatBilan.A_REDIGER
    assert minuteries(bilan) == [a_minuit(date(2027, 6, 29))]

    minuteurs(datetime(2027, 6, 21, 8, tzinfo=NOUMEA))
    assert len(notifications_du_bilan(bilan)) == 1
    assert len(courriels_du_bilan(bilan)) == 1


def test_retard_signale_aux_gestionnaires_le_lendemain_de_l_echeance(demo_bilans):
    """docs/domaine.md step 9: a late bilan is visible to managers the day after its due date: at
    midnight Nouméa the gestionnaires are alerted once, and `bilans_en_retard` lists it
    (docs/contrats.md §5), not on the due date itself."""
    bilan = bilan_de(SESSION_ETE)

    minuteurs(datetime(2027, 6, 28, 23, 59, tzinfo=NOUMEA))
    assert not Notification.objects.filter(destinataire=demo_bilans["gestionnaire1"],
                                           message__contains="en retard").exists()  # fmt: skip
    assert sessions_en_retard("--date", "2027-06-28") == []

    minuit = datetime(2027, 6, 28, 13, tzinfo=UTC)  # 29/06/2027 00:00 in Nouméa
    minuteurs(minuit)
    alertes = [n for n in notifications_du_bilan(bilan) if "en retard" in n.message]
    assert [n.destinataire.username for n in alertes] == ["gestionnaire1"]
    assert alertes[0].message == (
        f"Bilan de fin de parcours de la session {SESSION_ETE} (ALPHA) : en retard, attendu le "
        "28/06/2027."
    )
    assert alertes[0].lien == bilan.get_absolute_url()
    assert ["gestionnaire1@demo.del.nc"] in [c.to for c in courriels_du_bilan(bilan)]
    bilan.refresh_from_db()
    assert bilan.retard_signale_le == minuit
    assert minuteries(bilan) == []
    assert bilan.etat == EtatBilan.A_REDIGER  # still to write and send

    minuteurs(datetime(2027, 6, 29, 9, tzinfo=NOUMEA))
    assert len([n for n in notifications_du_bilan(bilan) if "en retard" in n.message]) == 1

    assert retards("--date", "2027-06-29") == [
        {
            "session": SESSION_ETE,
            "prestataire": "ALPHA",
            "lot": 1,
            "fin_session": "2027-05-28",
            "echeance": "2027-06-28",
            "jours_de_retard": 1,
        }
    ]


# --- The command ----------------------------------------------------------------------------


@pytest.fixture
def trois_sessions(demo_bilans):
    """Besides the summer session (due 28/06/2027): ALPHA's November session, KAOUMA entered on
    24/11/2026 and gone on 15/01/2027, and BETA's session (its order issued and acknowledged on
    24/11/2026), SIMUTOGA gone on the same day: both due on 15/02/2027."""
    alpha2, beta1 = demo_bilans["alpha2"], demo_bilans["beta1"]
    with a("2026-11-24", heure=10):
        parcours_services.entrer(parcours_de("KAOUMA"), par=alpha2,
                                 date_premier_contact=date(2026, 11, 24),
                                 date_entree=date(2026, 11, 24))  # fmt: skip
        bon_beta = BonDeCommande.objects.get(prestataire__code="BETA")
        commandes.emettre(bon_beta, par=demo_bilans["gestionnaire1"])
        commandes.accuser(bon_beta, par=beta1)
        parcours_services.entrer(parcours_de("SIMUTOGA"), par=beta1,
                                 date_premier_contact=date(2026, 11, 24),
                                 date_entree=date(2026, 11, 24))  # fmt: skip
    sortie_anticipee(parcours_de("KAOUMA"), alpha2, date(2027, 1, 15))
    sortie_anticipee(parcours_de("SIMUTOGA"), beta1, date(2027, 1, 15))
    bon_beta.refresh_from_db()
    assert bon_beta.numero == "BC-2026-0003"
    assert (
        bilan_de("BC-2026-0003").echeance
        == bilan_de(SESSION_NOVEMBRE).echeance
        == date(2027, 2, 15)
    )
    return demo_bilans


def test_bilans_en_retard_json_du_contrat_ordonne_par_retard_puis_session(trois_sessions):
    """docs/contrats.md §5: a JSON list of objects `session`, `prestataire` (code), `lot` (a
    number), `fin_session`, `echeance` (YYYY-MM-DD), `jours_de_retard` = DATE − echeance (a
    number), ordered by jours_de_retard descending then session."""
    sortie = StringIO()
    call_command("bilans_en_retard", "--date", "2027-06-29", "--format", "json", stdout=sortie)
    resultat = json.loads(sortie.getvalue())
    # 15/02/2027 -> 29/06/2027: 13 + 31 + 30 + 31 + 29 days.
    assert resultat == [
        {"session": "BC-2026-0002", "prestataire": "ALPHA", "lot": 1, "fin_session": "2027-01-15",
         "echeance": "2027-02-15", "jours_de_retard": 134},
        {"session": "BC-2026-0003", "prestataire": "BETA", "lot": 1, "fin_session": "2027-01-15",
         "echeance": "2027-02-15", "jours_de_retard": 134},
        {"session": "BC-2026-0001", "prestataire": "ALPHA", "lot": 1, "fin_session": "2027-05-28",
         "echeance": "2027-06-28", "jours_de_retard": 1},
    ]  # fmt: skip
    for retard in resultat:
        assert list(retard) == COLONNES
        assert type(retard["lot"]) is int and type(retard["jours_de_retard"]) is int

    # Not yet overdue on its due date; overdue from the day after.
    assert sessions_en_retard("--date", "2027-02-15") == []
    assert retards("--date", "2027-02-16") == [
        {"session": "BC-2026-0002", "prestataire": "ALPHA", "lot": 1, "fin_session": "2027-01-15",
         "echeance": "2027-02-15", "jours_de_retard": 1},
        {"session": "BC-2026-0003", "prestataire": "BETA", "lot": 1, "fin_session": "2027-01-15",
         "echeance": "2027-02-15", "jours_de_retard": 1},
    ]  # fmt: skip


def test_bilans_en_retard_d_un_prestataire_seulement(trois_sessions):
    """docs/contrats.md §5: `--prestataire CODE` keeps that prestataire's sessions; BETA's list
    shows nothing of ALPHA's; an unknown code is refused in French."""
    assert sessions_en_retard("--date", "2027-06-29", "--prestataire", "BETA") == ["BC-2026-0003"]
    assert sessions_en_retard("--date", "2027-06-29", "--prestataire", "ALPHA") == [
        "BC-2026-0002",
        "BC-2026-0001",
    ]
    assert sessions_en_retard("--date", "2027-06-29", "--prestataire", "GAMMA") == []
    with pytest.raises(CommandError, match="Prestataire inconnu : OMEGA"):
        retards("--date", "2027-06-29", "--prestataire", "OMEGA")


def test_bilans_en_retard_en_csv(trois_sessions):
    """docs/contrats.md §5: `--format csv`, the same columns and rows as the JSON."""
    sortie = StringIO()
    call_command("bilans_en_retard", "--date=2027-06-29", "--format=csv", stdout=sortie)
    lignes = list(csv.reader(StringIO(sortie.getvalue())))
    assert lignes == [
        COLONNES,
        ["BC-2026-0002", "ALPHA", "1", "2027-01-15", "2027-02-15", "134"],
        ["BC-2026-0003", "BETA", "1", "2027-01-15", "2027-02-15", "134"],
        ["BC-2026-0001", "ALPHA", "1", "2027-05-28", "2027-06-28", "1"],
    ]


@pytest.mark.parametrize("mauvaise_date", ["29/06/2027", "2027-02-30", "demain"])
def test_bilans_en_retard_refuse_une_date_mal_ecrite_en_francais(demo_bilans, mauvaise_date):
    """docs/contrats.md §5: dates are YYYY-MM-DD; anything else stops the command with a French
    message naming what was typed."""
    with pytest.raises(CommandError, match=f"--date attend AAAA-MM-JJ, pas « {mauvaise_date} »"):
        retards("--date", mauvaise_date)


def test_bilans_en_retard_appele_depuis_python_avec_la_date_en_mot_cle(trois_sessions):
    """docs/contrats.md §5: the same list when Python code (a script, another command) calls the
    command with `call_command("bilans_en_retard", date="2027-06-29")`."""
    sortie = StringIO()
    call_command("bilans_en_retard", date="2027-06-29", stdout=sortie)
    assert json.loads(sortie.getvalue()) == retards("--date", "2027-06-29")


def test_bilans_en_retard_a_la_date_du_jour_a_noumea(demo_bilans):
    """docs/contrats.md §5: `--date` defaults to today in Pacific/Noumea: at 23:30 UTC on 28/06/2027
    it is already 29/06 in Nouméa, the day after the summer session's due date."""
    with time_machine.travel(datetime(2027, 6, 28, 23, 30, tzinfo=UTC), tick=False):
        assert retards() == retards("--date", "2027-06-29")
        assert sessions_en_retard() == [SESSION_ETE]
    with time_machine.travel(datetime(2027, 6, 28, 12, 59, tzinfo=UTC), tick=False):
        assert sessions_en_retard() == []  # 28/06, 23:59 in Nouméa


# --- Sent, or sent back ---------------------------------------------------------------------


def transmettre(bilan, direction, jour: str):
    """The direction rates everyone's attainment and sends the bilan on `jour`."""
    with a(jour, heure=11):
        with transaction.atomic():
            bilan.refresh_from_db()
            appreciations = {
                personne.parcours.pk: {"atteinte_objectifs": AtteinteObjectifs.PARTIELLEMENT}
                for personne in bilans.personnes(bilan)
            }
            bilans.enregistrer(bilan, par=direction, version=bilan.version, synthese="Session",
                               appreciations=appreciations)  # fmt: skip
        reporting_services.transmettre(bilan, par=direction)
    bilan.refresh_from_db()
    return bilan


def test_un_bilan_transmis_a_la_date_n_est_pas_en_retard_un_bilan_renvoye_si(trois_sessions):
    """docs/contrats.md §5: a bilan is overdue on DATE when it had not been sent on or before DATE
    and DATE is after its due date; one sent back for completion counts again as not sent
    (docs/domaine.md step 9), and its timers wait again on its due date."""
    alpha1, beta1 = trois_sessions["alpha1"], trois_sessions["beta1"]
    novembre = bilan_de(SESSION_NOVEMBRE)

    # BETA sends in time; ALPHA is reminded on 08/02, late from 16/02, and sends on 01/03/2027.
    transmettre(bilan_de("BC-2026-0003"), beta1, "2027-02-10")
    minuteurs(datetime(2027, 2, 8, 0, 0, tzinfo=NOUMEA))
    minuteurs(datetime(2027, 2, 16, 0, 0, tzinfo=NOUMEA))
    assert [n.destinataire.username for n in notifications_du_bilan(novembre)] == [
        "alpha1",
        "gestionnaire1",
    ]
    assert notifications_du_bilan(bilan_de("BC-2026-0003")) == []  # sent in time
    transmettre(novembre, alpha1, "2027-03-01")
    assert (novembre.etat, novembre.transmis_le) == (EtatBilan.TRANSMIS, date(2027, 3, 1))
    assert minuteries(novembre) == []  # sent: no reminder, no alert any more

    assert retards("--date", "2027-02-28") == [
        {"session": "BC-2026-0002", "prestataire": "ALPHA", "lot": 1, "fin_session": "2027-01-15",
         "echeance": "2027-02-15", "jours_de_retard": 13},
    ]  # fmt: skip
    assert sessions_en_retard("--date", "2027-03-01") == []
    assert sessions_en_retard("--date", "2027-06-29") == [SESSION_ETE]

    # The DEL sends it back: it is not sent any more, and overdue again.
    with a("2027-03-10"):
        reporting_services.renvoyer(novembre, par=trois_sessions["gestionnaire1"],
                            motif="Précisez les préconisations.")  # fmt: skip
    novembre.refresh_from_db()
    assert (novembre.etat, novembre.transmis_le) == (EtatBilan.A_COMPLETER, None)
    assert retards("--date", "2027-03-10")[0] == {
        "session": "BC-2026-0002", "prestataire": "ALPHA", "lot": 1, "fin_session": "2027-01-15",
        "echeance": "2027-02-15", "jours_de_retard": 23,
    }  # fmt: skip
    assert sessions_en_retard("--date", "2027-06-29") == ["BC-2026-0002", SESSION_ETE]
    assert minuteries(novembre) == [a_minuit(date(2027, 2, 8)), a_minuit(date(2027, 2, 16))]
    # Their moments are past: they fire at once, but the direction was reminded and the
    # managers alerted already: once each.
    minuteurs(datetime(2027, 3, 10, 12, tzinfo=NOUMEA))
    assert minuteries(novembre) == []
    assert len(notifications_du_bilan(novembre)) == 2

    # Sent again: on time no more, but no longer overdue from that day.
    transmettre(novembre, alpha1, "2027-03-12")
    assert sessions_en_retard("--date", "2027-03-11") == ["BC-2026-0002"]
    assert sessions_en_retard("--date", "2027-03-12") == []
