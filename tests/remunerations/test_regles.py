"""The rules of the stipend (docs/domaine.md, "Stipend: 50 % of the SMG"; docs/contrats.md §4), each
named in its test. Expected amounts are computed by hand in the comments, never by the code
under test."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from prestataires.models import Parcours
from procurement.models import Prestataire, TauxSMG
from remunerations import calcul, services
from remunerations.admin import TauxSMGForm
from remunerations.calcul import remuneration_du_mois
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration, LigneRemuneration

from .conftest import a, placer_stagiaire

pytestmark = pytest.mark.django_db

AOUT, SEPTEMBRE, OCTOBRE, NOVEMBRE = (date(2026, mois, 1) for mois in (8, 9, 10, 11))


def lignes_de(parcours, mois):
    """The parcours' lines in its prestataire's month, as pages and exports read them."""
    return [
        ligne
        for releve in calcul.releves([(parcours.prestataire, mois)])
        for ligne in releve.lignes
        if ligne.parcours.pk == parcours.pk
    ]


def chiffres(parcours, mois):
    """(days paid, days of the month, monthly SMG, amount due) of the parcours' month."""
    (ligne,) = lignes_de(parcours, mois)
    return ligne.jours, ligne.jours_du_mois, ligne.smg_mensuel, ligne.montant_du


def etat_alpha(mois):
    return EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=mois)


def par_stagiaire(lignes):
    """{(name, month paid): amount due} of some lines."""
    return {(ligne.nom, ligne.mois): ligne.montant_du for ligne in lignes}


def corriger_smg_de_juin_2025(taux_horaire):
    taux = TauxSMG.objects.get(date_effet=date(2025, 6, 1))
    taux.taux_horaire = Decimal(taux_horaire)
    taux.save()


# --- The formula -----------------------------------------------------------------------------


def test_stipend_is_half_the_prorated_monthly_smg_minus_half_the_absent_hours():
    """due = max(0, round_half_up(0.5 × (SMG_monthly × d ÷ D − SMG_hourly × h)))"""
    smg = {"smg_mensuel": 167602, "smg_horaire": Decimal("991.73")}
    # 0.5 × 167 602 = 83 801
    assert remuneration_du_mois(**smg, jours=30, jours_du_mois=30, absences_heures=Decimal(0)) == (
        83801
    )
    # 0.5 × 167 602 × 17 ÷ 31 = 45 955.387… -> 45 955
    assert remuneration_du_mois(**smg, jours=17, jours_du_mois=31, absences_heures=Decimal(0)) == (
        45955
    )
    # 0.5 × (167 602 − 991.73 × 4) = 0.5 × 163 635.08 = 81 817.54 -> 81 818
    montant = remuneration_du_mois(**smg, jours=31, jours_du_mois=31, absences_heures=Decimal(4))
    assert montant == 81818
    assert type(montant) is int  # XPF have no subunit
    # 0.5 × (167 602 − 991.73 × 1.25) = 0.5 × 166 362.3375 = 83 181.16875 -> 83 181
    assert remuneration_du_mois(**smg, jours=31, jours_du_mois=31,
                                absences_heures=Decimal("1.25")) == 83181  # fmt: skip


def test_stipend_landing_exactly_on_half_a_franc_is_rounded_up():
    """Round once, half up (not to the even franc)."""
    # 0.5 × (166 536 × 6 ÷ 30 − 985.42 × 10) = 0.5 × (33 307.2 − 9 854.2) = 0.5 × 23 453
    # = 11 726.5 -> 11 727 (half-even would give 11 726)
    assert remuneration_du_mois(smg_mensuel=166536, smg_horaire=Decimal("985.42"), jours=6,
                                jours_du_mois=30, absences_heures=Decimal(10)) == 11727  # fmt: skip


def test_stipend_is_rounded_once_half_up_to_the_franc_not_term_by_term():
    """Compute exactly, round once, half up, at the final amount."""
    # exact: 0.5 × 167 602 × 17 ÷ 31 − 0.5 × 991.73 × 2 = 45 955.387… − 991.73 = 44 963.657…
    # -> 44 964; rounding each term first would give 45 955 − 992 = 44 963
    assert remuneration_du_mois(smg_mensuel=167602, smg_horaire=Decimal("991.73"), jours=17,
                                jours_du_mois=31, absences_heures=Decimal(2)) == 44964  # fmt: skip


def test_stipend_is_floored_at_zero_when_absences_exceed_the_prorated_amount():
    """due = max(0, …)"""
    smg = {"smg_mensuel": 167602, "smg_horaire": Decimal("991.73")}
    # 0.5 × (167 602 × 1 ÷ 31 − 991.73 × 10) = 0.5 × (5 406.5 − 9 917.3) < 0 -> 0
    assert remuneration_du_mois(**smg, jours=1, jours_du_mois=31, absences_heures=Decimal(10)) == 0
    # a whole month absent: 0.5 × (167 602 − 991.73 × 169) = 0.5 × (167 602 − 167 602.37) < 0
    assert (
        remuneration_du_mois(**smg, jours=31, jours_du_mois=31, absences_heures=Decimal(169)) == 0
    )
    # no day paid, no absence: 0
    assert remuneration_du_mois(**smg, jours=0, jours_du_mois=30, absences_heures=Decimal(0)) == 0


# --- Month boundaries (2024 and 2025: the demo's own parcours are in 2026) -------------------


def test_entry_on_the_31st_pays_one_day_of_a_31_day_month(demo):
    """d = the days of the month inside the parcours, from its entry (included)."""
    parcours = placer_stagiaire("ALPHA", date(2025, 1, 31))
    # SMG of 1 August 2024: 0.5 × 166 536 × 1 ÷ 31 = 2 686.06… -> 2 686
    assert chiffres(parcours, date(2025, 1, 1)) == (1, 31, 166536, 2686)
    ligne = calcul.calculer(parcours, date(2025, 1, 1), Decimal(0))
    assert (ligne.jours, ligne.jours_du_mois, ligne.smg_mensuel, ligne.montant_du) == (
        1, 31, 166536, 2686,
    )  # fmt: skip
    assert lignes_de(parcours, date(2024, 12, 1)) == []


def test_exit_on_the_1st_pays_that_one_day_and_nothing_after(demo):
    """A parcours covers its days from date_entree to date_sortie, both included."""
    parcours = placer_stagiaire("ALPHA", date(2024, 11, 4), sortie=date(2025, 4, 1))
    # 0.5 × 166 536 × 1 ÷ 30 = 2 775.6 -> 2 776
    assert chiffres(parcours, date(2025, 4, 1)) == (1, 30, 166536, 2776)
    assert lignes_de(parcours, date(2025, 5, 1)) == []


def test_february_has_29_days_in_a_leap_year_and_28_otherwise(demo):
    """D = the days in that month."""
    bissextile = placer_stagiaire("ALPHA", date(2024, 2, 10))
    normale = placer_stagiaire("ALPHA", date(2025, 2, 10))
    entiere = placer_stagiaire("ALPHA", date(2024, 1, 15))
    # 10..29/02/2024 = 20 days; SMG of 1 March 2023: 0.5 × 165 032 × 20 ÷ 29 = 56 907.58… -> 56 908
    assert chiffres(bissextile, date(2024, 2, 1)) == (20, 29, 165032, 56908)
    # 10..28/02/2025 = 19 days: 0.5 × 166 536 × 19 ÷ 28 = 56 503.28… -> 56 503
    assert chiffres(normale, date(2025, 2, 1)) == (19, 28, 166536, 56503)
    # the whole of February 2024: 0.5 × 165 032 = 82 516
    assert chiffres(entiere, date(2024, 2, 1)) == (29, 29, 165032, 82516)


def test_parcours_starting_and_ending_inside_one_month_pays_its_days_both_included(demo):
    parcours = placer_stagiaire("ALPHA", date(2025, 3, 10), sortie=date(2025, 3, 20))
    # 10..20/03 = 11 days: 0.5 × 166 536 × 11 ÷ 31 = 29 546.70… -> 29 547
    assert chiffres(parcours, date(2025, 3, 1)) == (11, 31, 166536, 29547)
    assert lignes_de(parcours, date(2025, 2, 1)) == []
    assert lignes_de(parcours, date(2025, 4, 1)) == []


def test_suspension_across_two_months_is_unpaid_in_both_and_the_resumption_day_is_paid(demo):
    """A suspension's unpaid days run from its start to the day before the resumption."""
    parcours = placer_stagiaire(
        "ALPHA", date(2024, 9, 2), suspensions=[(date(2024, 10, 25), date(2024, 11, 5))]
    )
    # 01..24/10 paid = 24 days: 0.5 × 166 536 × 24 ÷ 31 = 64 465.54… -> 64 466
    assert chiffres(parcours, date(2024, 10, 1)) == (24, 31, 166536, 64466)
    # 05..30/11 paid (the 5th, resumption day, included) = 26 days:
    # 0.5 × 166 536 × 26 ÷ 30 = 72 165.6 -> 72 166
    assert chiffres(parcours, date(2024, 11, 1)) == (26, 30, 166536, 72166)
    # the months around it are whole
    assert chiffres(parcours, date(2024, 12, 1)) == (31, 31, 166536, 83268)


def test_open_suspension_is_unpaid_until_the_end_of_the_parcours_coverage(demo):
    """A suspension not resumed runs to the parcours' end (its planned end while it runs)."""
    parcours = placer_stagiaire(
        "ALPHA", date(2025, 1, 6), fin_prevue=date(2025, 7, 5),
        suspensions=[(date(2025, 3, 17), None)],
    )  # fmt: skip
    # 01..16/03 paid = 16 days: 0.5 × 166 536 × 16 ÷ 31 = 42 977.03… -> 42 977
    assert chiffres(parcours, date(2025, 3, 1)) == (16, 31, 166536, 42977)
    assert chiffres(parcours, date(2025, 4, 1)) == (0, 30, 166536, 0)
    assert chiffres(parcours, date(2025, 6, 1)) == (0, 30, 167602, 0)
    assert chiffres(parcours, date(2025, 7, 1)) == (0, 31, 167602, 0)  # 01..05/07 suspended
    assert lignes_de(parcours, date(2025, 8, 1)) == []


# --- An SMG change in the middle of a parcours -----------------------------------------------


def test_each_month_uses_the_smg_in_force_on_its_first_day_across_a_rate_change(demo):
    """the SMG in force on the 1st of the month"""
    parcours = placer_stagiaire("ALPHA", date(2025, 3, 15), sortie=date(2025, 10, 14))
    attendu = {
        # 15..31/03 = 17 days: 0.5 × 166 536 × 17 ÷ 31 = 45 663.09… -> 45 663
        date(2025, 3, 1): (17, 31, 166536, 45663),
        date(2025, 4, 1): (30, 30, 166536, 83268),  # 0.5 × 166 536
        date(2025, 5, 1): (31, 31, 166536, 83268),
        # 1 June 2025: 991.73 F/h, 167 602 a month; 0.5 × 167 602 = 83 801
        date(2025, 6, 1): (30, 30, 167602, 83801),
        date(2025, 7, 1): (31, 31, 167602, 83801),
        date(2025, 8, 1): (31, 31, 167602, 83801),
        date(2025, 9, 1): (30, 30, 167602, 83801),
        # 01..14/10 = 14 days: 0.5 × 167 602 × 14 ÷ 31 = 37 845.61… -> 37 846
        date(2025, 10, 1): (14, 31, 167602, 37846),
    }
    assert {mois: chiffres(parcours, mois) for mois in attendu} == attendu
    assert lignes_de(parcours, date(2025, 11, 1)) == []
    assert lignes_de(parcours, date(2025, 2, 1)) == []


# --- Reconciled months are immutable: corrections become adjustment lines ------------------


def test_corrected_smg_rate_leaves_reconciled_months_frozen_and_owes_the_difference_as_adjustments(
    demo,
):
    """A new rate never rewrites months already reconciled."""
    septembre = etat_alpha(SEPTEMBRE)
    # 0.5 × 167 602 = 83 801; GOPOEA 15..30/09: 0.5 × 167 602 × 16 ÷ 30 = 44 693.86… -> 44 694
    fige = {
        ("WAIA", SEPTEMBRE): 83801,
        ("OUNEMOA", SEPTEMBRE): 83801,
        ("GOPOEA", SEPTEMBRE): 44694,
    }
    assert par_stagiaire(calcul.releve(septembre).lignes) == fige

    corriger_smg_de_juin_2025("993.73")  # 993.73 × 169 = 167 940.37 -> 167 940 a month

    releve = calcul.releve(septembre)
    assert par_stagiaire(releve.lignes) == fige
    assert {ligne.smg_mensuel for ligne in releve.lignes} == {167602}
    stockees = LigneRemuneration.objects.filter(etat=septembre)
    assert {
        (ligne.parcours.demandeur.nom, ligne.mois): ligne.montant_du for ligne in stockees
    } == fige
    assert set(stockees.values_list("smg_mensuel", "smg_horaire")) == {(167602, Decimal("991.73"))}
    (aout,) = calcul.releve(etat_alpha(AOUT)).lignes
    assert (aout.nom, aout.smg_mensuel, aout.montant_du) == ("WAIA", 167602, 2703)

    octobre = calcul.releve(etat_alpha(OCTOBRE))
    assert all(ligne.ajustement for ligne in octobre.ajustements)
    assert par_stagiaire(octobre.ajustements) == {
        # WAIA 31/08: 0.5 × 167 940 × 1 ÷ 31 = 2 708.70… -> 2 709; 2 709 − 2 703
        ("WAIA", AOUT): 6,
        # 0.5 × 167 940 = 83 970; 83 970 − 83 801
        ("WAIA", SEPTEMBRE): 169,
        ("OUNEMOA", SEPTEMBRE): 169,
        # 0.5 × 167 940 × 16 ÷ 30 = 44 784; 44 784 − 44 694
        ("GOPOEA", SEPTEMBRE): 90,
    }
    # October itself is not reconciled: it uses the corrected rate.
    # WAIA, 4 h: 0.5 × (167 940 − 993.73 × 4) = 0.5 × 163 965.08 = 81 982.54 -> 81 983
    assert par_stagiaire(octobre.lignes_du_mois)[("WAIA", OCTOBRE)] == 81983


def test_late_absence_on_a_reconciled_month_becomes_a_negative_adjustment_on_the_open_etat(demo):
    """A late unjustified absence never rewrites the reconciled month."""
    octobre, waia = etat_alpha(OCTOBRE), Parcours.objects.get(demandeur__nom="WAIA")
    with transaction.atomic():
        services.regulariser(octobre, par=demo["alpha1"], parcours=waia, mois=SEPTEMBRE,
                             absences_heures=Decimal(2))  # fmt: skip

    (ajustement,) = calcul.releve(octobre).ajustements
    assert (ajustement.nom, ajustement.mois, ajustement.absences_heures) == (
        "WAIA", SEPTEMBRE, Decimal(2),
    )  # fmt: skip
    # 0.5 × (167 602 − 991.73 × 2) = 0.5 × 165 618.54 = 82 809.27 -> 82 809;
    # 82 809 − 83 801 = −992 (half of the 2 hours: 991.73)
    assert (ajustement.deja_rapproche, ajustement.montant_du) == (83801, -992)
    assert ajustement.montant_declare is None  # still to declare

    (fige,) = [
        ligne for ligne in calcul.releve(etat_alpha(SEPTEMBRE)).lignes if ligne.nom == "WAIA"
    ]
    assert (fige.absences_heures, fige.montant_du) == (0, 83801)
    stockee = LigneRemuneration.objects.get(etat__mois=SEPTEMBRE, parcours=waia)
    assert (stockee.absences_heures, stockee.montant_du) == (0, 83801)


def test_late_absence_on_a_month_not_reconciled_is_refused(demo):
    octobre, waia = etat_alpha(OCTOBRE), Parcours.objects.get(demandeur__nom="WAIA")
    avant = list(LigneRemuneration.objects.values_list("pk", "absences_heures"))
    for mois, libelle in ((OCTOBRE, "octobre 2026"), (NOVEMBRE, "novembre 2026")):
        with pytest.raises(ValidationError) as refus, transaction.atomic():
            services.regulariser(octobre, par=demo["alpha1"], parcours=waia, mois=mois,
                                 absences_heures=Decimal(2))  # fmt: skip
        assert refus.value.message_dict == {
            "mois": [f"WAIA Mathieu n'a pas de mois rapproché en {libelle}."]
        }
    assert list(LigneRemuneration.objects.values_list("pk", "absences_heures")) == avant


def test_stagiaire_entered_late_into_a_reconciled_month_is_owed_it_as_an_adjustment(demo):
    """What changed since (…, moved parcours dates) is owed on the first état not reconciled."""
    placer_stagiaire("ALPHA", date(2026, 9, 21), nom="TARDIF")  # recorded after September
    # 21..30/09 = 10 days: 0.5 × 167 602 × 10 ÷ 30 = 27 933.66… -> 27 934
    assert par_stagiaire(calcul.releve(etat_alpha(OCTOBRE)).ajustements) == {
        ("TARDIF", SEPTEMBRE): 27934
    }


def test_accepted_etat_refuses_declarations_and_submission_and_changes_nothing(demo):
    """A reconciled month is frozen."""
    septembre, alpha1 = etat_alpha(SEPTEMBRE), demo["alpha1"]
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    champs = ("pk", "absences_heures", "montant_declare", "cafat_declaree", "montant_du")
    lignes = list(LigneRemuneration.objects.filter(etat=septembre).values_list(*champs))
    refus = "Cet état est accepté : mois rapproché : il ne se modifie plus."

    with pytest.raises(ValidationError, match=refus), transaction.atomic():
        services.declarer(
            septembre, par=alpha1, version=septembre.version,
            declarations={f"{waia.pk}-2026-09": {"absences_heures": Decimal(7),
                                                 "montant_declare": 0}},
        )  # fmt: skip
    with pytest.raises(ValidationError, match=refus), transaction.atomic():
        services._soumettre(septembre, par=alpha1)

    avant = (septembre.etat, septembre.version, septembre.soumis_le, septembre.accepte_le)
    septembre.refresh_from_db()
    assert (septembre.etat, septembre.version, septembre.soumis_le, septembre.accepte_le) == avant
    assert septembre.etat == EtatDeclaration.ACCEPTE
    assert list(LigneRemuneration.objects.filter(etat=septembre).values_list(*champs)) == lignes


def test_accepted_adjustments_are_frozen_and_not_owed_again_on_a_later_etat(demo):
    """What changed since a reconciliation is owed once, on the next état."""
    alpha1, finance1 = demo["alpha1"], demo["finance1"]
    alpha = Prestataire.objects.get(code="ALPHA")
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    octobre = etat_alpha(OCTOBRE)
    corriger_smg_de_juin_2025("993.73")  # 167 940 a month
    with transaction.atomic():
        services.regulariser(octobre, par=alpha1, parcours=waia, mois=SEPTEMBRE,
                             absences_heures=Decimal(2))  # fmt: skip
    ajustements = {
        ("WAIA", AOUT): 6,  # 0.5 × 167 940 ÷ 31 = 2 708.70… -> 2 709; 2 709 − 2 703
        # 0.5 × (167 940 − 993.73 × 2) = 0.5 × 165 952.54 = 82 976.27 -> 82 976; − 83 801
        ("WAIA", SEPTEMBRE): -825,
        ("OUNEMOA", SEPTEMBRE): 169,  # 83 970 − 83 801
        ("GOPOEA", SEPTEMBRE): 90,  # 0.5 × 167 940 × 16 ÷ 30 = 44 784; − 44 694
    }
    releve = calcul.releve(octobre)
    assert par_stagiaire(releve.ajustements) == ajustements

    # ALPHA declares what it paid on each adjustment, submits; finance accepts.
    octobre.refresh_from_db()
    with a("2026-11-25"):
        with transaction.atomic():
            services.declarer(
                octobre, par=alpha1, version=octobre.version,
                declarations={
                    services.cle(ligne): {"montant_declare": ajustements[ligne.nom, ligne.mois]}
                    for ligne in releve.ajustements
                },
            )  # fmt: skip
        services.soumettre(octobre, par=alpha1)
        services.accepter(octobre, par=finance1)
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.ACCEPTE

    # Frozen: the stored lines keep the differences, whatever the rate says later.
    corriger_smg_de_juin_2025("995.00")
    stockees = LigneRemuneration.objects.filter(etat=octobre).exclude(mois=OCTOBRE)
    assert {
        (ligne.parcours.demandeur.nom, ligne.mois): ligne.montant_du for ligne in stockees
    } == ajustements
    assert par_stagiaire(calcul.releve(octobre).ajustements) == ajustements
    corriger_smg_de_juin_2025("993.73")

    # November, opened in December, owes nothing more on August, September or October.
    with a("2026-12-02"):
        novembre = services.ouvrir_etat(alpha, NOVEMBRE)
    releve = calcul.releve(novembre)
    assert releve.ajustements == []
    # 0.5 × 167 940 = 83 970; GOPOEA resumed 03/11: 03..30 = 28 days:
    # 0.5 × 167 940 × 28 ÷ 30 = 78 372
    assert par_stagiaire(releve.lignes) == {
        ("WAIA", NOVEMBRE): 83970,
        ("OUNEMOA", NOVEMBRE): 83970,
        ("GOPOEA", NOVEMBRE): 78372,
    }


# --- SMG rates, edited by the administrateur -------------------------------------------------


def formulaire_smg(date_effet, taux_horaire="1000.00"):
    return TauxSMGForm(
        data={
            "date_effet": date_effet,
            "taux_horaire": taux_horaire,
            "arrete": "Arrêté n° 2026-0000/GNC du 20 octobre 2026",
        }
    )


def test_smg_rate_starts_on_the_first_of_a_month(demo):
    """The SMG changes by arrêté, always on the first day of a month."""
    formulaire = formulaire_smg("15/11/2026")
    assert not formulaire.is_valid()
    assert formulaire.errors == {
        "date_effet": ["Un taux du SMG entre en vigueur le premier jour d'un mois."]
    }


def test_smg_rate_cannot_start_in_a_reconciled_month(demo):
    """A new rate never rewrites months already reconciled."""
    nombre = TauxSMG.objects.count()
    formulaire = formulaire_smg("01/09/2026")
    assert not formulaire.is_valid()
    assert formulaire.errors == {
        "date_effet": [
            "Septembre 2026 est déjà rapproché : un nouveau taux ne peut entrer en vigueur "
            "qu'à partir du 01/10/2026."
        ]
    }
    assert TauxSMG.objects.count() == nombre


def test_smg_rate_cannot_start_before_a_reconciled_month(demo):
    """A new rate never rewrites months already reconciled: the months not yet reconciled use
    it."""
    formulaire = formulaire_smg("01/07/2026")  # in force on 1 August and 1 September 2026
    assert not formulaire.is_valid()
    assert "date_effet" in formulaire.errors


def test_admin_add_page_shows_the_refusal_and_creates_no_rate(client, demo):
    nombre = TauxSMG.objects.count()
    client.force_login(demo["admin"])
    page = client.post(
        "/admin/procurement/tauxsmg/add/",
        {"date_effet": "01/09/2026", "taux_horaire": "1000.00", "arrete": "Arrêté n° 2026-0000"},
    )
    assert page.status_code == 200
    assert (
        "Septembre 2026 est déjà rapproché : un nouveau taux ne peut entrer en vigueur "
        "qu&#x27;à partir du 01/10/2026." in page.content.decode()
    )
    assert TauxSMG.objects.count() == nombre
    assert not TauxSMG.objects.filter(date_effet=date(2026, 9, 1)).exists()


def test_new_smg_rate_applies_from_its_month_and_leaves_reconciled_months_unchanged(demo):
    """The months not yet reconciled use it."""
    formulaire = formulaire_smg("01/11/2026")  # 1 000 × 169 = 169 000 a month
    assert formulaire.is_valid(), formulaire.errors
    formulaire.save()
    alpha = Prestataire.objects.get(code="ALPHA")

    (novembre,) = calcul.releves([(alpha, NOVEMBRE)])
    assert {ligne.smg_mensuel for ligne in novembre.lignes} == {169000}
    assert par_stagiaire(novembre.lignes) == {
        ("WAIA", NOVEMBRE): 84500,  # 0.5 × 169 000
        ("OUNEMOA", NOVEMBRE): 84500,
        # GOPOEA resumed 03/11: 0.5 × 169 000 × 28 ÷ 30 = 78 866.66… -> 78 867
        ("GOPOEA", NOVEMBRE): 78867,
    }
    # October (open) keeps the rate in force on 1 October: 0.5 × (167 602 − 991.73 × 4)
    # = 81 817.54 -> 81 818
    octobre = calcul.releve(etat_alpha(OCTOBRE))
    assert par_stagiaire(octobre.lignes)[("WAIA", OCTOBRE)] == 81818
    assert octobre.ajustements == []
    assert par_stagiaire(calcul.releve(etat_alpha(SEPTEMBRE)).lignes) == {
        ("WAIA", SEPTEMBRE): 83801,
        ("OUNEMOA", SEPTEMBRE): 83801,
        ("GOPOEA", SEPTEMBRE): 44694,
    }


# --- Months are Nouméa's (UTC+11) ----------------------------------------------------------


def test_a_month_can_be_opened_from_midnight_in_noumea_not_utc(demo):
    """30/11 12:30 UTC is 23:30 in Nouméa (still November); 13:30 UTC is 00:30 on 1 December."""
    alpha = Prestataire.objects.get(code="ALPHA")
    decembre = date(2026, 12, 1)
    avant_minuit = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)  # 23:30 on 30/11 in Nouméa
    with (
        time_machine.travel(avant_minuit, tick=False),
        pytest.raises(ValidationError) as refus,
        transaction.atomic(),
    ):
        services._ouvrir(alpha, decembre)
    assert refus.value.message_dict == {"mois": ["Un mois à venir ne se déclare pas encore."]}
    assert not EtatRemuneration.objects.filter(mois=decembre).exists()

    apres_minuit = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # 00:30 on 01/12 in Nouméa
    with time_machine.travel(apres_minuit, tick=False), transaction.atomic():
        etat, cree = services._ouvrir(alpha, decembre)
    assert cree
    assert (etat.prestataire, etat.mois, etat.etat) == (alpha, decembre, EtatDeclaration.BROUILLON)


def test_etat_of_the_month_just_ended_is_owed_by_each_prestataire_with_a_stagiaire_until_opened(
    demo,
):
    """On and after the 1st, each prestataire with a stagiaire in the month just ended owes its
    état for that month."""
    alpha = Prestataire.objects.get(code="ALPHA")
    # BETA and GAMMA have no stagiaire in November 2026; ALPHA has three.
    du = [
        (prestataire.code, mois) for prestataire, mois in services.mois_a_ouvrir(date(2026, 12, 1))
    ]
    assert du == [("ALPHA", NOVEMBRE)]
    # October's état exists already.
    assert services.mois_a_ouvrir(date(2026, 11, 30)) == []

    with a("2026-12-01", heure=0):
        services.ouvrir_etat(alpha, NOVEMBRE)
    assert services.mois_a_ouvrir(date(2026, 12, 1)) == []
    assert services.mois_a_ouvrir(date(2026, 12, 31)) == []


def test_un_taux_du_smg_d_un_mois_rapproche_ne_se_supprime_pas_depuis_l_admin(client, demo):
    """Issue 16: a rate reconciled months were paid at is refused deletion, on the admin's
    delete page and by its bulk action, as a new rate inside a reconciled month is refused:
    the page lists the reconciled états as protected and offers no confirmation. A rate no
    reconciled month used (one just added for next year) is deleted."""
    client.force_login(demo["admin"])
    taux = TauxSMG.objects.get(date_effet=date(2025, 6, 1))  # August and September 2026
    page = client.get(f"/admin/procurement/tauxsmg/{taux.pk}/delete/")
    texte = page.content.decode()
    assert page.status_code == 200
    assert "État de rémunération août 2026 : ALPHA (rapproché au taux du 01/06/2025)" in texte
    assert "État de rémunération septembre 2026 : ALPHA" in texte
    assert 'name="post"' not in texte  # no confirmation button
    assert (
        client.post(f"/admin/procurement/tauxsmg/{taux.pk}/delete/", {"post": "yes"}).status_code
        == 200
    )

    nouveau = TauxSMG.objects.create(
        date_effet=date(2027, 1, 1), taux_horaire=Decimal("1000.00"), arrete="Arrêté 2027"
    )
    ancien = TauxSMG.objects.get(date_effet=date(2018, 10, 1))  # no reconciled month
    page = client.post(
        "/admin/procurement/tauxsmg/",
        {"action": "delete_selected", "_selected_action": [taux.pk, nouveau.pk], "post": "yes"},
    )
    assert page.status_code == 200
    assert "État de rémunération août 2026 : ALPHA" in page.content.decode()
    assert TauxSMG.objects.filter(pk__in=[taux.pk, nouveau.pk]).count() == 2

    reponse = client.post(f"/admin/procurement/tauxsmg/{nouveau.pk}/delete/", {"post": "yes"})
    assert reponse.status_code == 302
    client.post(
        "/admin/procurement/tauxsmg/",
        {"action": "delete_selected", "_selected_action": [ancien.pk], "post": "yes"},
    )
    assert not TauxSMG.objects.filter(pk__in=[nouveau.pk, ancien.pk]).exists()
    assert TauxSMG.objects.filter(pk=taux.pk).exists()
