"""The rules of the CCTP indicators (docs/contrats.md §3) checked on their own, each on rows
written for it: rates rounded half up from exact fractions, age brackets at their limits and on
29 February, which prescriptions count and under which decision, ruptures counted as early
exits, and as many queries for 50 parcours as for 5."""

from datetime import date
from fractions import Fraction

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from prestataires.enums import TypeFin
from prestataires.models import Parcours
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    Frein,
    Lot,
    PassageCommission,
    Prescription,
    Prestataire,
    SessionCommission,
    age_le,
)
from reporting.indicateurs import arrondi, calculer_indicateurs, taux
from tests.reporting.cohorte_indicateurs import a_midi, charger, personne, refuse, valide


def test_taux_arrondis_au_plus_proche_cinq_vers_le_haut():
    """Rates are rounded once, half up, from exact fractions: 1/32 = 0.03125 gives 0.0313 (a
    float rounds it to 0.0312), 0.45445 gives 0.4545 (a float holds 0.454449…)."""
    assert taux(1, 32) == 0.0313
    assert round(1 / 32, 4) == 0.0312
    assert arrondi(Fraction(45445, 100000), 4) == 0.4545
    assert taux(2, 3) == 0.6667
    assert taux(0, 5) == 0.0
    assert taux(3, 0) is None
    assert arrondi(Fraction(11, 3), 2) == 3.67


def test_tranches_d_age_a_la_limite_et_29_fevrier(referentiel):
    """Age at the prescription's date: 25 years 364 days is under 26; born 29 February, one is
    a year older on 1 March of a common year (as procurement.models.age_le)."""
    naissances_et_jours = [
        ("2000-03-01", "2026-02-28"),  # 25 years 364 days: moins_26
        ("2000-02-28", "2026-02-28"),  # 26 that day: 26_44
        ("2000-02-29", "2026-02-28"),  # 25 (birthday on 1 March in 2026): moins_26
        ("2000-02-29", "2026-03-01"),  # 26: 26_44
        ("1981-03-01", "2026-02-28"),  # 44: 26_44
        ("1981-02-28", "2026-02-28"),  # 45: 45_plus
    ]
    charger([
        personne(f"AGE-{rang}", f"AGE{rang}", "F", naissance, "bac", "noumea", 1, "ALPHA",
                 "conseiller1", jour)
        for rang, (naissance, jour) in enumerate(naissances_et_jours)
    ])  # fmt: skip
    attendu = {"moins_26": 2, "26_44": 3, "45_plus": 1}
    assert (
        calculer_indicateurs(date(2026, 2, 1), date(2026, 3, 31))["typologie"]["tranche_age"]
        == attendu
    )
    ages = [age_le(date.fromisoformat(n), date.fromisoformat(j)) for n, j in naissances_et_jours]
    assert ages == [25, 26, 25, 26, 44, 45]


def test_prescriptions_non_transmises_et_derniere_decision(referentiel):
    """Drafts, binôme prescriptions waiting for their co-signature and withdrawn drafts never
    reached the commission: not prescriptions of the period. A prescription adjourned then
    refused counts under its refusal's motif; adjourned then validated, it is no non-entrée;
    a validated person who withdrew before entry (désistement, a text motive) counts as
    prescribed but under no frein."""
    lignes = [
        personne(f"ETAT-{etat}", f"ETAT{rang}", "M", "1990-01-01", "bac", "noumea", 1, "ALPHA",
                 "conseiller1", "2024-03-01")
        for rang, etat in enumerate(EtatPrescription.values)
    ]  # fmt: skip
    charger(lignes)
    for etat in EtatPrescription.values:
        Prescription.objects.filter(reference=f"ETAT-{etat}").update(etat=etat)
    # 10 states less brouillon, attente_cosignature and retiree.
    assert calculer_indicateurs(date(2024, 1, 1), date(2024, 12, 31))["prescriptions"] == 7

    auteur = User.objects.get(username="gestionnaire1")
    seances = {
        jour: SessionCommission.objects.create(
            date_seance=jour, lot=Lot.objects.get(numero=1),
            prestataire=Prestataire.objects.get(code="ALPHA"), etat=EtatSession.CLOTUREE,
            cree_par=auteur,
        )
        for jour in (date(2024, 3, 10), date(2024, 4, 10))
    }  # fmt: skip

    def passer(reference, jour, decision, motif=None):
        PassageCommission.objects.create(
            session=seances[jour], prescription=Prescription.objects.get(reference=reference),
            decision=decision, duree_mois=6 if decision == Decision.VALIDEE else None,
            motif_refus=Frein.objects.filter(code=motif).first(), decide_par=auteur,
            decide_le=a_midi(jour),
        )  # fmt: skip

    passer("ETAT-refusee", date(2024, 3, 10), Decision.AJOURNEE)
    passer("ETAT-refusee", date(2024, 4, 10), Decision.REFUSEE, "numerique")
    passer("ETAT-validee", date(2024, 3, 10), Decision.AJOURNEE)
    passer("ETAT-validee", date(2024, 4, 10), Decision.VALIDEE)
    passer("ETAT-desistee", date(2024, 3, 10), Decision.VALIDEE)
    passer("ETAT-ajournee", date(2024, 3, 10), Decision.AJOURNEE)
    # Only the latest decision counts: a refusal followed by a later decision (history
    # restated by an import) is no non-entrée, whatever order the records were written in.
    passer("ETAT-inscrite", date(2024, 4, 10), Decision.AJOURNEE)
    passer("ETAT-inscrite", date(2024, 3, 10), Decision.REFUSEE, "sante")
    resultat = calculer_indicateurs(date(2024, 1, 1), date(2024, 12, 31))
    assert resultat["non_entrees"] == {"numerique": 1}


def test_ruptures_comptees_comme_sorties_anticipees(referentiel):
    """A rupture by the stagiaire or by the structure is an early exit like a sortie
    anticipée; a parcours led to its term is not. The session keeps 1 of its 3."""
    lignes = [
        personne(f"FIN-{rang}", f"FIN{rang}", "F", "1990-01-01", "bac", "noumea", 1, "ALPHA",
                 "conseiller1", "2024-02-01",
                 **valide("2024-02-10", "ALPHA-2024-09", "2024-03-01", "6",
                          date_sortie="2024-06-30", type_sortie="cdi"))
        for rang in range(3)
    ]  # fmt: skip
    charger(lignes)
    for reference, type_fin in (("FIN-0", TypeFin.RUPTURE_STAGIAIRE),
                                ("FIN-1", TypeFin.RUPTURE_STRUCTURE)):  # fmt: skip
        Parcours.objects.filter(ligne__prescription__reference=reference).update(type_fin=type_fin)
    resultat = calculer_indicateurs(date(2024, 1, 1), date(2024, 12, 31))
    assert resultat["sorties_anticipees"] == 2
    assert resultat["taux_sortie_anticipee"] == 0.6667
    assert resultat["emploi_durable"] == 3  # the exit's class does not depend on how it ended
    assert resultat["sessions"] == [
        {"session": "ALPHA-2024-09", "entres": 3, "presents_fin": 1, "taux_integration": 0.3333}
    ]


def _grande_cohorte(nombre: int, annee: int) -> list[dict]:
    """`nombre` people entered in `annee`, in sessions of 5, with every kind of exit, their
    evaluations and freins, and as many refused."""
    sorties = ["cdi", "cdd", "formation_pre_qualifiante", "abandon", ""]
    lignes = []
    for rang in range(nombre):
        sortie = sorties[rang % 5]
        suite = {"date_sortie": f"{annee}-09-{1 + rang % 28:02d}", "type_sortie": sortie,
                 "satisfaction": str(1 + rang % 5)} if sortie else {}  # fmt: skip
        lignes.append(personne(
            f"VOL-{annee}-{rang}", f"VOLUME{annee}{rang:03d}", "FMX"[rang % 3],
            f"{1970 + rang % 30}-05-0{1 + rang % 9}", "bac", "noumea", 1 + rang % 2,
            ("ALPHA", "GAMMA")[rang % 2], "conseiller1", f"{annee}-01-10",
            freins="mobilite|numerique", entree="1212", sortie="2323" if sortie else "",
            **valide(f"{annee}-01-20", f"VOL-{annee}-{rang % 2}-{rang // 10}", f"{annee}-02-01",
                     "7" if rang % 2 == 0 else "", **suite),
        ))  # fmt: skip
        lignes.append(personne(
            f"REF-{annee}-{rang}", f"REFUS{annee}{rang:03d}", "F", "1990-01-01", "bac",
            "dumbea", 1, "ALPHA", "conseiller2", f"{annee}-01-11",
            **refuse(f"{annee}-01-20", ("mobilite", "sante")[rang % 2]),
        ))  # fmt: skip
    return lignes


def test_nombre_de_requetes_constant(referentiel):
    """The database aggregates: as many queries for 50 parcours as for 5."""
    charger(_grande_cohorte(5, 2021))
    charger(_grande_cohorte(50, 2022))
    requetes = {}
    for annee, entrees in ((2021, 5), (2022, 50)):
        with CaptureQueriesContext(connection) as capture:
            resultat = calculer_indicateurs(date(annee, 1, 1), date(annee, 12, 31))
        assert resultat["entrees"] == entrees
        assert resultat["prescriptions"] == 2 * entrees
        requetes[annee] = len(capture.captured_queries)
    assert requetes[2021] == requetes[2022] <= 12
