"""The bilans de fin de parcours and the managers' dashboard: the demo data seeded on
24/11/2026, the people of ALPHA's summer session taken to their exit, and bilans made in bulk
for the volume tests; the day of the history import's stories; the indicators' hand-worked
cohort. Nothing here is used automatically: each test asks for what it needs."""

from datetime import date, datetime, timedelta
from itertools import count

import pytest
import time_machine
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from bons_de_commande.enums import EtatBonDeCommande
from bons_de_commande.models import BonDeCommande
from prestataires import services as parcours_services
from prestataires import stages
from prestataires.enums import ObjetStage, TypeFin
from prestataires.models import Entreprise, Parcours, Stage
from procurement.enums import EtatSession
from procurement.models import AttributionLot, Prestataire, SessionCommission, TypeSortie
from reporting.models import BilanFinParcours
from tests.conftest import DEMO_SEMEE_LE
from tests.prestataires.conftest import NOUMEA, a
from tests.reporting.cohorte_indicateurs import COHORTE, charger, creer_referentiel
from tests.reporting.historique import MAINTENANT

# The demo is seeded on this day (as the stipend tests do): ALPHA's summer session
# BC-2026-0001 (WAIA, OUNEMOA, GOPOEA) runs, ALPHA's November order BC-2026-0002 waits for
# KAOUMA's entry.
SEED = DEMO_SEMEE_LE
SESSION_ETE, SESSION_NOVEMBRE = "BC-2026-0001", "BC-2026-0002"
# The summer session ends with GOPOEA's planned end: 8 months from 15/09/2026, moved back by
# the 14 days of its suspension (20/10 to 03/11/2026).
FIN_ETE, ECHEANCE_ETE = date(2027, 5, 28), date(2027, 6, 28)

_rangs = count()


@pytest.fixture
def demo_bilans(demo):
    """The demo data (logins outlive the months the stories below move the clock over: the
    test settings let sessions last)."""
    return demo


@pytest.fixture
def le_jour_de_l_import():
    """Today is 24/11/2026 in Nouméa for the history import's stories: dates after it are in
    the future."""
    with time_machine.travel(MAINTENANT, tick=False):
        yield


@pytest.fixture
def referentiel(db):
    """The people and organisations the rows of the indicators' hand-worked cohort name."""
    creer_referentiel()


@pytest.fixture
def cohorte(referentiel):
    """The indicators' hand-worked cohort (cohorte_indicateurs.py), period 01/01/2025 to
    30/06/2025."""
    charger(COHORTE)


def bilan_de(session: str) -> BilanFinParcours:
    return BilanFinParcours.objects.get(bon__numero=session)


def parcours_de(nom: str) -> Parcours:
    return Parcours.objects.get(demandeur__nom=nom)


def minuteries(bilan) -> list:
    """The due moments of the bilan's timers still waiting (the reminder, then the overdue
    alert)."""
    return list(
        Task.objects.filter(
            process_id=bilan.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
        )
        .order_by("scheduled")
        .values_list("scheduled", flat=True)
    )


def a_minuit(jour: date) -> datetime:
    return datetime.combine(jour, datetime.min.time(), tzinfo=NOUMEA)


def sortie_anticipee(parcours, par, jour: date, type_sortie="formation_qualifiante", **champs):
    """Record an early exit on `jour` (clock on that day), with its reason, difficulties and
    préconisations, through the parcours' process."""
    sortie = {
        "type_fin": TypeFin.ANTICIPEE,
        "motif_sortie": f"Départ de {parcours.demandeur.nom}",
        "difficultes": f"Difficultés de {parcours.demandeur.nom} : mobilité",
        "preconisations": f"Préconisations pour {parcours.demandeur.nom} : permis B",
        "satisfaction": 4,
    } | champs
    with a(jour.isoformat(), heure=16):
        parcours_services.sortir(
            parcours,
            par=par,
            date_sortie=jour,
            type_sortie=TypeSortie.objects.get(code=type_sortie),
            **sortie,
        )
    parcours.refresh_from_db()
    return parcours


def stage_termine(parcours, par, debut: date, fin: date) -> Stage:
    """A stage of the parcours with ALPHA's bakery, its convention checked the day before,
    started on `debut` and finished on `fin` with its bilan and report."""
    with a((debut - timedelta(days=1)).isoformat()), transaction.atomic():
        stage = stages.preparer_stage(
            parcours,
            par=par,
            entreprise=Entreprise.objects.get(raison_sociale="Boulangerie du Quartier Latin"),
            objet=ObjetStage.CONFIRMER,
            objectifs="Confirmer le projet de vente",
            tuteur_nom="Jacques Tein",
            debut=debut,
            fin=fin,
            heures_hebdo=35,
            activites_competences="Mise en rayon, encaissement",
            criteres_evaluation="Ponctualité, relation client",
        )
        stages.cocher_verifications(stage, par=par, conditions_accueil=True, convention=True)
        stages.verifier_stage(stage, par=par, verifie_le=debut - timedelta(days=1))
    with a(debut.isoformat()), transaction.atomic():
        stages.demarrer_stage(stage, par=par)
    with a(fin.isoformat(), heure=17), transaction.atomic():
        stages.terminer_stage(
            stage, par=par, termine_le=fin, bilan="Très bien", rapport="Projet confirmé"
        )
    stage.refresh_from_db()
    return stage


def creer_bons(code: str, nombre: int, *, etat=EtatBonDeCommande.ACCUSE, emis_le=None,
               accuse_le=None) -> list[BonDeCommande]:  # fmt: skip
    """`nombre` orders of prestataire `code`, bulk-created with their commission session,
    issued the day before `accuse_le` (default: the demo's day) and acknowledged then, or only
    issued on `emis_le`; numbered `<code>-VOL-<rang>`."""
    prestataire = Prestataire.objects.get(code=code)
    attribution = AttributionLot.objects.filter(prestataire=prestataire).select_related("lot")[0]
    gestionnaire = User.objects.get(username="gestionnaire1")
    if etat == EtatBonDeCommande.ACCUSE:
        accuse_le = accuse_le or SEED
        emis_le = emis_le or accuse_le - timedelta(days=1)
    sessions = SessionCommission.objects.bulk_create(
        SessionCommission(
            date_seance=date(2026, 6, 1),
            lot=attribution.lot,
            prestataire=prestataire,
            etat=EtatSession.CLOTUREE,
            cree_par=gestionnaire,
        )
        for _ in range(nombre)
    )
    return BonDeCommande.objects.bulk_create(
        BonDeCommande(
            session=session,
            prestataire=prestataire,
            lot=attribution.lot,
            attribution=attribution,
            numero=f"{code}-VOL-{next(_rangs):04d}",
            etat=etat,
            emis_le=emis_le,
            emis_par=gestionnaire,
            accuse_le=accuse_le,
        )
        for session in sessions
    )


def creer_bilans(code: str, fins) -> list[BilanFinParcours]:
    """Sessions of prestataire `code` ended on each of `fins`, bulk-created with their
    acknowledged order and their bilan, not sent."""
    bons = creer_bons(code, len(fins))
    return BilanFinParcours.objects.bulk_create(
        BilanFinParcours.de_la_session(bon, fin) for bon, fin in zip(bons, fins, strict=True)
    )
