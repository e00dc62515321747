"""Stored stipends: each open état's lines and totals equal the reference computation
(calcul.releves) after every kind of change they depend on (SMG rate, parcours dates,
suspension, absence hours, late entry, import), in the transaction of the change; reconciled
months never move. In the demo, ALPHA's August and September are reconciled and October is
declared."""

import importlib
from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.apps import apps as registre
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from prestataires.models import Parcours, Suspension
from procurement.models import Prestataire, TauxSMG
from remunerations import calcul, services, stockage
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration, LigneRemuneration, TotalRemuneration
from remunerations.stockage import LOT_MODIFIE
from tests.reporting.historique import en_csv, importer, rangee

from .conftest import a, declarer_le_du, placer_stagiaire
from .test_listes import creer_stagiaires

pytestmark = pytest.mark.django_db

JOUR = "2026-11-24"
AOUT, SEPTEMBRE, OCTOBRE, NOVEMBRE = (date(2026, mois, 1) for mois in (8, 9, 10, 11))
CHAMPS = ("jours", "jours_du_mois", "smg_mensuel", "smg_horaire", "montant_du", "absences_heures")


def stockees(etat) -> dict:
    """{(parcours, month paid): the stored computation} of the état's lines."""
    return {
        (ligne.parcours_id, ligne.mois): tuple(getattr(ligne, champ) for champ in CHAMPS)
        + (ligne.deja_rapproche if ligne.mois != etat.mois else None,)
        for ligne in LigneRemuneration.objects.filter(etat=etat)
    }


def recalculees(etat) -> dict:
    """The same, as the reference computation gives it today."""
    return {
        (ligne.parcours.pk, ligne.mois): tuple(getattr(ligne, champ) for champ in CHAMPS)
        + (ligne.deja_rapproche,)
        for ligne in calcul.releve(etat).lignes
    }


def exiger_a_jour():
    """Every open état: its stored lines are the reference computation, its stored totals the
    sums of the reference's lines (whole état and per lot)."""
    ouverts = EtatRemuneration.objects.exclude(etat=EtatDeclaration.ACCEPTE)
    assert ouverts.exists()
    for etat in ouverts:
        assert stockees(etat) == recalculees(etat), etat
        releve = calcul.releve(etat)
        etat.refresh_from_db()
        assert (
            etat.nombre_lignes,
            etat.lignes_completes,
            etat.montant_du,
            etat.montant_declare,
            etat.cafat_declaree,
            etat.ecart,
        ) == (
            len(releve.lignes),
            sum(ligne.complete for ligne in releve.lignes),
            releve.montant_du,
            releve.montant_declare,
            releve.cafat_declaree,
            releve.ecart,
        ), etat
        assert {
            total.lot.numero: {
                "montant_du": total.montant_du,
                "montant_declare": total.montant_declare,
                "ecart": total.ecart,
            }
            for total in TotalRemuneration.objects.filter(etat=etat).select_related("lot")
        } == releve.par_lot(), etat


def rapproches() -> dict:
    """Everything stored of the reconciled états: what must never move."""
    return {
        etat.pk: (
            stockees(etat),
            etat.montant_du,
            etat.montant_declare,
            etat.ecart,
            etat.nombre_lignes,
            list(TotalRemuneration.objects.filter(etat=etat).values_list("lot", "montant_du")),
        )
        for etat in EtatRemuneration.objects.filter(etat=EtatDeclaration.ACCEPTE)
    }


@pytest.fixture
def octobre(demo):
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)
    assert etat.etat == EtatDeclaration.BROUILLON
    return etat


@pytest.fixture
def figes(octobre):
    """The reconciled months as they stand before the change under test; each test checks
    they did not move."""
    avant = rapproches()
    assert len(avant) == 2 and all(lignes for lignes, *_ in avant.values())
    yield avant
    assert rapproches() == avant


def waia():
    return Parcours.objects.get(demandeur__nom="WAIA")


def test_the_demo_etats_are_stored_as_computed(octobre, figes):
    exiger_a_jour()
    assert octobre.lignes.count() >= 3
    octobre.refresh_from_db()
    assert octobre.montant_du > 0 and octobre.complet


def test_a_new_or_corrected_smg_rate_restores_open_months_only(octobre, figes):
    avant = stockees(octobre)
    with a(JOUR), transaction.atomic():
        # A corrected rate of June 2025 (paid in August and September, reconciled): owed as
        # adjustments on October; and a new rate from October.
        taux = TauxSMG.objects.get(date_effet=date(2025, 6, 1))
        taux.taux_horaire = Decimal("1000.00")
        taux.save()
        TauxSMG.objects.create(date_effet=OCTOBRE, taux_horaire=Decimal("1010.00"), arrete="x")
    exiger_a_jour()
    apres = stockees(octobre)
    assert apres != avant
    assert any(mois < OCTOBRE for _, mois in apres), "adjustments of August and September"
    assert {ligne[2] for (_, mois), ligne in apres.items() if mois == OCTOBRE} == {170690}
    with a(JOUR), transaction.atomic():
        TauxSMG.objects.get(date_effet=OCTOBRE).delete()
    exiger_a_jour()


def test_moved_parcours_dates_restore_their_lines(octobre, figes):
    parcours = waia()
    with a(JOUR), transaction.atomic():
        parcours.date_sortie = date(2026, 10, 15)
        parcours.save()
    exiger_a_jour()
    ligne = LigneRemuneration.objects.get(etat=octobre, parcours=parcours, mois=OCTOBRE)
    assert ligne.jours == 15
    with a(JOUR), transaction.atomic():
        parcours.date_sortie = None
        parcours.fin_prevue = date(2026, 10, 20)
        parcours.save()
    exiger_a_jour()
    ligne.refresh_from_db()
    assert ligne.jours == 20
    # An entry moved back into reconciled August: the days gained there are an adjustment.
    with a(JOUR), transaction.atomic():
        parcours.fin_prevue = date(2027, 3, 31)
        parcours.date_entree = parcours.date_premier_contact = parcours.date_entree - timedelta(3)
        parcours.save(update_fields=["date_entree", "date_premier_contact", "fin_prevue"])
    exiger_a_jour()


def test_a_suspension_added_changed_or_removed_restores_the_month(octobre, figes):
    parcours = waia()
    with a(JOUR), transaction.atomic():
        suspension = Suspension.objects.create(
            parcours=parcours,
            debut=date(2026, 10, 10),
            fin=date(2026, 10, 20),
            motif="sante",
            par=User.objects.get(username="alpha1"),
        )
    exiger_a_jour()
    ligne = LigneRemuneration.objects.get(etat=octobre, parcours=parcours, mois=OCTOBRE)
    assert ligne.jours == 31 - 10
    with a(JOUR), transaction.atomic():
        suspension.fin = date(2026, 10, 12)
        suspension.save()
    exiger_a_jour()
    ligne.refresh_from_db()
    assert ligne.jours == 31 - 2
    with a(JOUR), transaction.atomic():
        suspension.delete()
    exiger_a_jour()
    ligne.refresh_from_db()
    assert ligne.jours == 31


def test_absence_hours_declared_restore_the_amount_due(demo, octobre, figes):
    parcours = waia()
    with a(JOUR), transaction.atomic():
        services.declarer(
            octobre,
            par=demo["alpha1"],
            version=octobre.version,
            declarations={
                f"{parcours.pk}-2026-10": {"absences_heures": Decimal(10), "montant_declare": 1}
            },
        )
    exiger_a_jour()
    ligne = LigneRemuneration.objects.get(etat=octobre, parcours=parcours, mois=OCTOBRE)
    # 0.5 × (167 602 − 991.73 × 10) = 78 842.35 -> 78 842
    assert (ligne.absences_heures, ligne.montant_du) == (Decimal(10), 78842)
    # A late absence on reconciled September: an adjustment line on October.
    with a(JOUR), transaction.atomic():
        services.regulariser(
            octobre, par=demo["alpha1"], parcours=parcours, mois=SEPTEMBRE,
            absences_heures=Decimal(2),
        )  # fmt: skip
    exiger_a_jour()
    ajustement = LigneRemuneration.objects.get(etat=octobre, parcours=parcours, mois=SEPTEMBRE)
    # − 0.5 × 991.73 × 2 = − 991.73 -> − 992
    assert (ajustement.montant_du, ajustement.saisie) == (-992, True)


def test_a_late_entry_in_reconciled_months_is_owed_on_the_first_open_etat(octobre, figes):
    with a(JOUR), transaction.atomic():
        parcours = placer_stagiaire("ALPHA", date(2026, 8, 20))
    exiger_a_jour()
    mois = set(
        LigneRemuneration.objects.filter(etat=octobre, parcours=parcours).values_list(
            "mois", flat=True
        )
    )
    assert mois == {AOUT, SEPTEMBRE, OCTOBRE}
    assert not LigneRemuneration.objects.filter(parcours=parcours, saisie=True).exists()


def test_accepting_freezes_the_month_and_moves_adjustments_to_the_next(demo, octobre):
    with a(JOUR, heure=8):
        placer_stagiaire("ALPHA", date(2026, 9, 20))  # owed on October as adjustments
        novembre = services.ouvrir_etat(Prestataire.objects.get(code="ALPHA"), NOVEMBRE)
        exiger_a_jour()
        services.soumettre(declarer_le_du(octobre, demo["alpha1"]), par=demo["alpha1"])
        services.accepter(octobre, par=demo["finance1"])
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.ACCEPTE and octobre.complet
    fige = stockees(octobre)
    exiger_a_jour()
    # A change after the acceptance: November carries it, October stays as accepted.
    with a(JOUR, heure=9), transaction.atomic():
        parcours = waia()
        parcours.date_sortie = date(2026, 10, 10)
        parcours.save()
    exiger_a_jour()
    assert stockees(octobre) == fige
    assert LigneRemuneration.objects.filter(etat=novembre, parcours=parcours, mois=OCTOBRE)


def test_an_import_brings_the_stored_stipends_up_to_date(demo, octobre, figes, tmp_path):
    """The import writes parcours in bulk (no signal per row), then has every open état
    brought up to date in its transaction; an unchanged re-import recomputes nothing."""
    rangees = [
        rangee(reference="R-0001", nom="SALAIRE", date_prescription="2026-09-01",
               date_commission="2026-09-15", decision="validee", duree_mois="6",
               session="R-2026-09", date_entree="2026-10-06")
    ]  # fmt: skip
    with a(JOUR):
        assert importer(tmp_path, en_csv(rangees))[0] == 0
    exiger_a_jour()
    ligne = LigneRemuneration.objects.get(
        etat=octobre, parcours__ligne__prescription__reference="R-0001"
    )
    # 0.5 × 167 602 × 26 ÷ 31 = 70 284.70… -> 70 285
    assert (ligne.jours, ligne.montant_du, ligne.saisie) == (26, 70285, False)
    appels = []
    with a(JOUR), patch.object(stockage, "actualiser", lambda **k: appels.append(k)):
        assert importer(tmp_path, en_csv(rangees))[0] == 0
    assert appels == []


def test_the_data_migration_fills_the_stored_values_of_existing_etats(octobre, figes):
    """A database from before: computed lines absent, totals at zero; reconciled ones frozen."""
    LigneRemuneration.objects.filter(saisie=False).delete()
    TotalRemuneration.objects.all().delete()
    EtatRemuneration.objects.update(montant_du=0, nombre_lignes=0, lignes_completes=0)
    with a(JOUR, heure=8):
        parcours = placer_stagiaire("ALPHA", date(2026, 10, 6))
    LigneRemuneration.objects.filter(parcours=parcours).delete()
    EtatRemuneration.objects.update(montant_du=0, nombre_lignes=0, lignes_completes=0)
    TotalRemuneration.objects.all().delete()
    migration = importlib.import_module(
        "remunerations.migrations.0003_remplir_les_remunerations_stockees"
    )
    with a(JOUR):
        migration.remplir(registre, None)
    exiger_a_jour()
    assert LigneRemuneration.objects.filter(etat=octobre, parcours=parcours).exists()
    # `figes` checks the reconciled états: their lines untouched, their totals restored.


def test_a_changed_suspension_costs_the_same_queries_whatever_the_number_of_lines(demo, octobre):
    """The update is bulk: one parcours changed reads and writes its own lines only, and a
    declaration of 4 or 12 lines takes the same queries."""

    def declarer_tout(heures):
        etat = EtatRemuneration.objects.get(pk=octobre.pk)
        lignes = LigneRemuneration.objects.filter(etat=etat, mois=OCTOBRE)
        with a(JOUR), transaction.atomic(), CaptureQueriesContext(connection) as requetes:
            services.declarer(
                etat, par=demo["alpha1"], version=etat.version,
                declarations={
                    f"{ligne.parcours_id}-2026-10": {
                        "absences_heures": Decimal(heures), "montant_declare": 5,
                        "cafat_declaree": 1,
                    }
                    for ligne in lignes
                },
            )  # fmt: skip
        return len(lignes), len(requetes)

    def suspendre():
        with a(JOUR), transaction.atomic(), CaptureQueriesContext(connection) as requetes:
            Suspension.objects.create(
                parcours=waia(), debut=date(2026, 10, 3), fin=date(2026, 10, 5), motif="sante",
                par=demo["alpha1"],
            )  # fmt: skip
        Suspension.objects.filter(parcours=waia(), debut=date(2026, 10, 3)).delete()
        return len(requetes)

    declarer_tout(1)  # the user's permissions read once, as on any request
    lignes_avant, declaration_avant = declarer_tout(2)
    suspension_avant = suspendre()
    with a(JOUR, heure=8):
        for jour in range(8):
            placer_stagiaire("ALPHA", date(2026, 10, 1) + timedelta(days=jour))
    lignes_apres, declaration_apres = declarer_tout(3)
    assert lignes_apres == lignes_avant + 8
    assert declaration_apres == declaration_avant
    assert suspendre() == suspension_avant
    exiger_a_jour()


def test_many_lines_changed_at_once_are_rewritten_whole(demo, octobre, figes):
    """A new rate for 250 lines and more: beyond LOT_MODIFIE they are written again in bulk,
    keeping their keys and what the prestataire declared."""
    with a(JOUR, heure=8):
        creer_stagiaires("ALPHA", LOT_MODIFIE + 50, [date(2026, 10, 1), date(2026, 10, 13)])
    avant = {
        ligne.pk: (ligne.parcours_id, ligne.mois, ligne.saisie, ligne.montant_declare)
        for ligne in LigneRemuneration.objects.filter(etat=octobre)
    }
    assert len(avant) > LOT_MODIFIE and any(saisie for *_, saisie, _ in avant.values())
    with a(JOUR), transaction.atomic():
        TauxSMG.objects.create(date_effet=OCTOBRE, taux_horaire=Decimal("1010.00"), arrete="x")
    exiger_a_jour()
    assert {
        ligne.pk: (ligne.parcours_id, ligne.mois, ligne.saisie, ligne.montant_declare)
        for ligne in LigneRemuneration.objects.filter(etat=octobre)
    } == avant
    assert set(
        LigneRemuneration.objects.filter(etat=octobre).values_list("smg_mensuel", flat=True)
    ) == {170690}
