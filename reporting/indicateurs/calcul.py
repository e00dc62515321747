"""The CCTP indicators of a period (docs/contrats.md §3; docs/domaine.md, "Indicators"),
computed by the database: a fixed number of aggregate queries, whatever the number of
prescriptions and parcours.

Who is counted:

- the period's **prescriptions** are those dated in it (`date_prescription`, both ends
  included) that were sent to the commission, whatever came of them. A draft
  (`brouillon`), a binôme prescription still waiting for its co-signature and a withdrawn
  draft (`retiree`: only a draft can be withdrawn) never reached the commission: they are
  not prescriptions of the period (decision);
- a prescription's decision is the one of its latest passage in commission that has one
  (an adjourned prescription comes back to a later session). A refusal is a non-entrée,
  counted under its motif (a frein code). A withdrawal before entry (désistement) counts
  under a frein only when it carries one; ours carry a free-text motive, so none does
  (decision);
- **the cohort** is the parcours entered in the period (`date_entree`): its exits, stays,
  evaluations and satisfaction are attached to it, however late they come (docs/domaine.md,
  "effectif initial"). Each entry is one person. The cohort is not a subset of the period's
  prescriptions: a person prescribed in December may enter in January, so `taux_entree` can
  exceed 1 over a short period.

Rates are exact fractions of integer counts, rounded once, half up, to 4 decimals; `None`
(JSON `null`) when their denominator is 0.
"""

from datetime import date
from fractions import Fraction
from functools import reduce
from operator import add

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Sum,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from prestataires.enums import MomentEvaluation
from prestataires.models import Parcours
from prestataires.models.parcours import AXES_EVALUATION
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import ClasseSortie, Decision, EtatPrescription, Genre
from procurement.models import (
    PassageCommission,
    Prescription,
)

# Not sent to the commission: not a prescription of the period.
ETATS_NON_TRANSMIS = (
    EtatPrescription.BROUILLON,
    EtatPrescription.ATTENTE_COSIGNATURE,
    EtatPrescription.RETIREE,
)
SORTI = Q(date_sortie__isnull=False)
# Every end but the planned one is an early exit ("sortie anticipée ou rupture", CCTP).
SORTIE_ANTICIPEE = SORTI & Q(type_fin__in=TYPES_FIN_ANTICIPEE)
# Each class includes the previous one (CCTP): ED ⊂ SD ⊂ SP.
CLASSES_ED = (ClasseSortie.EMPLOI_DURABLE,)
CLASSES_SD = (*CLASSES_ED, ClasseSortie.SORTIE_DYNAMIQUE)
CLASSES_SP = (*CLASSES_SD, ClasseSortie.SORTIE_POSITIVE)
# docs/contrats.md §3: effective months = days ÷ (365.25 ÷ 12), i.e. days × 48 ÷ 1461.
JOURS_PAR_MOIS = Fraction(1461, 48)

# Age bands at the date of the prescription, in their reading order.
TRANCHES_AGE = {
    "moins_26": "Moins de 26 ans",
    "26_44": "26 à 44 ans",
    "45_plus": "45 ans et plus",
}


# --- Computation ------------------------------------------------------------------------


def _arrondi(numerateur: int, denominateur: int, decimales: int) -> float:
    """numerateur ÷ denominateur (not negative) rounded half up to `decimales` decimals, in
    integers: floor(n ÷ d × 10^k + 1/2) = (2·n·10^k + d) // 2·d, then one correctly rounded
    division, the float nearest the decimal (as float(Decimal) would give). Thousands of
    sessions each have their rate: no Fraction or Decimal built per rate."""
    echelle = 10**decimales
    return ((2 * numerateur * echelle + denominateur) // (2 * denominateur)) / echelle


def arrondi(valeur: Fraction, decimales: int) -> float:
    """`valeur` (not negative) rounded half up to `decimales` decimals, exactly: 0.45445 gives
    0.4545, never 0.4544 from a binary float's drift."""
    return _arrondi(valeur.numerator, valeur.denominator, decimales)


def taux(numerateur: int | Fraction, denominateur: int) -> float | None:
    """A rate rounded to 4 decimals; None when there is nothing to divide by."""
    if not denominateur:
        return None
    if isinstance(numerateur, int):
        return _arrondi(numerateur, denominateur, 4)
    return arrondi(numerateur / denominateur, 4)


def prescriptions_de_la_periode(du: date, au: date, *, lot=None, prestataire=None):
    prescriptions = Prescription.objects.filter(date_prescription__range=(du, au)).exclude(
        etat__in=ETATS_NON_TRANSMIS
    )
    if lot is not None:
        prescriptions = prescriptions.filter(lot__numero=lot)
    if prestataire is not None:
        prescriptions = prescriptions.filter(prestataire__code=prestataire)
    return prescriptions


def cohorte(du: date, au: date, *, lot=None, prestataire=None):
    """The parcours entered in the period: the effectif initial (docs/domaine.md)."""
    parcours = Parcours.objects.filter(date_entree__range=(du, au))
    if lot is not None:
        parcours = parcours.filter(lot__numero=lot)
    if prestataire is not None:
        parcours = parcours.filter(prestataire__code=prestataire)
    return parcours


def _compte_par(queryset, expression) -> dict:
    """{value: count} of the queryset grouped by `expression`, values ordered."""
    lignes = queryset.annotate(cle=expression).values("cle").annotate(n=Count("pk")).order_by()
    return dict(sorted((ligne["cle"], ligne["n"]) for ligne in lignes if ligne["cle"] is not None))


def _mois_jour(champ):
    """Month and day of a date as one comparable number: 29 February -> 229."""
    return ExtractMonth(champ) * 100 + ExtractDay(champ)


def tranche_d_age(age: int) -> str:
    if age < 26:
        return "moins_26"
    return "26_44" if age < 45 else "45_plus"


def _tranches_d_age(prescriptions) -> dict:
    """{age band: people} by their age in whole years on the prescription's date, as
    procurement.models.age_le (born on 29 February, one is a year older on 1 March of a common
    year). The database groups by difference of years and whether the birthday is still to
    come that year (a few dozen groups); the bands are summed here."""
    groupes = (
        prescriptions.alias(
            mois_jour_prescription=_mois_jour("date_prescription"),
            mois_jour_naissance=_mois_jour("demandeur__date_naissance"),
        )
        .annotate(
            annees=ExtractYear("date_prescription") - ExtractYear("demandeur__date_naissance"),
            avant_anniversaire=Case(
                When(mois_jour_prescription__lt=F("mois_jour_naissance"), then=1), default=0
            ),
        )
        .values("annees", "avant_anniversaire")
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    tranches = dict.fromkeys(TRANCHES_AGE, 0)
    for groupe in groupes:
        age = int(groupe["annees"]) - int(groupe["avant_anniversaire"])
        tranches[tranche_d_age(age)] += groupe["nombre"]
    return {tranche: nombre for tranche, nombre in tranches.items() if nombre}


def _typologie(prescriptions) -> dict:
    """The people oriented, counted by each trait; only the values met are listed."""
    genres = _compte_par(prescriptions, F("demandeur__genre"))
    return {
        "genre": {genre: genres[genre] for genre in Genre.values if genre in genres},
        "tranche_age": _tranches_d_age(prescriptions),
        "niveau_formation": _compte_par(prescriptions, F("demandeur__niveau_formation__code")),
        "commune": _compte_par(prescriptions, F("demandeur__commune__code")),
        "conseiller": _compte_par(prescriptions, F("conseiller__username")),
    }


def _non_entrees(prescriptions) -> dict:
    """{frein code: refused prescriptions}: those whose latest decision (latest session, then
    latest passage) is a refusal, under its motif. Only the refusals are examined, not every
    prescription."""
    decision_posterieure = (
        PassageCommission.objects.filter(prescription=OuterRef("prescription"))
        .exclude(decision="")
        .filter(
            Q(session__date_seance__gt=OuterRef("session__date_seance"))
            | Q(session__date_seance=OuterRef("session__date_seance"), pk__gt=OuterRef("pk"))
        )
    )
    refus = PassageCommission.objects.filter(
        decision=Decision.REFUSEE, prescription__in=prescriptions
    ).exclude(Exists(decision_posterieure))
    return _compte_par(refus, F("motif_refus__code"))


def _total_des_axes(evaluation: str):
    return reduce(add, (F(f"{evaluation}__{axe}") for axe in AXES_EVALUATION))


def _comptes_de_la_cohorte(parcours) -> dict:
    """Entries, exits by kind and class, satisfaction and progression, in one query: a
    parcours has at most one entry and one exit evaluation, so their joins add no row."""
    return (
        parcours.alias(
            evaluation_entree=FilteredRelation(
                "evaluations", condition=Q(evaluations__moment=MomentEvaluation.ENTREE)
            ),
            evaluation_sortie=FilteredRelation(
                "evaluations", condition=Q(evaluations__moment=MomentEvaluation.SORTIE)
            ),
        )
        .annotate(
            total_entree=_total_des_axes("evaluation_entree"),
            total_sortie=_total_des_axes("evaluation_sortie"),
        )
        .aggregate(
            entrees=Count("pk"),
            en_cours=Count("pk", filter=Q(date_sortie__isnull=True)),
            sorties=Count("pk", filter=SORTI),
            sorties_anticipees=Count("pk", filter=SORTIE_ANTICIPEE),
            emploi_durable=Count("pk", filter=SORTI & Q(type_sortie__classe__in=CLASSES_ED)),
            sorties_dynamiques=Count("pk", filter=SORTI & Q(type_sortie__classe__in=CLASSES_SD)),
            sorties_positives=Count("pk", filter=SORTI & Q(type_sortie__classe__in=CLASSES_SP)),
            satisfaction_somme=Sum("satisfaction"),
            satisfaction_reponses=Count("satisfaction"),
            evalues=Count("pk", filter=Q(total_entree__isnull=False, total_sortie__isnull=False)),
            progresse=Count("pk", filter=Q(total_sortie__gt=F("total_entree"))),
        )
    )


def _taux_duree(parcours) -> float | None:
    """Mean over the ended parcours of effective ÷ validated months. Grouped by validated
    duration (a few values), the database sums the days each group lasted: Σ days ÷ months is
    then exact, and the date difference portable (SQLite and PostgreSQL)."""
    groupes = list(
        parcours.filter(SORTI)
        .values("duree_mois")
        .annotate(duree=Sum(F("date_sortie") - F("date_entree")), nombre=Count("pk"))
        .order_by()
    )
    somme = sum(
        (Fraction(groupe["duree"].days, groupe["duree_mois"]) for groupe in groupes), Fraction(0)
    )
    return taux(somme / JOURS_PAR_MOIS, sum(groupe["nombre"] for groupe in groupes))


def _sessions(parcours) -> list[dict]:
    """One object per session (the order that launched its parcours) with a cohort entry;
    ordered by session here, the same on every database whatever its collation."""
    lignes = (
        parcours.values(session=F("ligne__bon__numero"))
        .annotate(entres=Count("pk"), presents_fin=Count("pk", filter=~SORTIE_ANTICIPEE))
        .order_by()
    )
    return [
        {
            "session": ligne["session"],
            "entres": ligne["entres"],
            "presents_fin": ligne["presents_fin"],
            "taux_integration": taux(ligne["presents_fin"], ligne["entres"]),
        }
        for ligne in sorted(lignes, key=lambda ligne: ligne["session"])
    ]


def calculer_indicateurs(
    du: date, au: date, *, lot: int | None = None, prestataire: str | None = None
) -> dict:
    """The indicators of the period from `du` to `au` (both included), for one lot (1 or 2)
    and one prestataire (its code), or all: exactly the object of docs/contrats.md §3, ready for
    json.dumps. The caller limits a prestataire's user to its own organisation."""
    prescriptions = prescriptions_de_la_periode(du, au, lot=lot, prestataire=prestataire)
    parcours = cohorte(du, au, lot=lot, prestataire=prestataire)
    nombre_prescriptions = prescriptions.count()
    comptes = _comptes_de_la_cohorte(parcours)
    entrees = comptes["entrees"]
    satisfaction = None
    if comptes["satisfaction_reponses"]:
        satisfaction = arrondi(
            Fraction(comptes["satisfaction_somme"], comptes["satisfaction_reponses"]), 2
        )
    return {
        "prescriptions": nombre_prescriptions,
        "entrees": entrees,
        "taux_entree": taux(entrees, nombre_prescriptions),
        "non_entrees": _non_entrees(prescriptions),
        "typologie": _typologie(prescriptions),
        "en_cours": comptes["en_cours"],
        "sorties": comptes["sorties"],
        "sorties_anticipees": comptes["sorties_anticipees"],
        "taux_sortie_anticipee": taux(comptes["sorties_anticipees"], entrees),
        "emploi_durable": comptes["emploi_durable"],
        "taux_emploi_durable": taux(comptes["emploi_durable"], entrees),
        "sorties_dynamiques": comptes["sorties_dynamiques"],
        "taux_sortie_dynamique": taux(comptes["sorties_dynamiques"], entrees),
        "sorties_positives": comptes["sorties_positives"],
        "taux_sortie_positive": taux(comptes["sorties_positives"], entrees),
        "placements": comptes["sorties_dynamiques"],
        "taux_duree": _taux_duree(parcours),
        "taux_progression": taux(comptes["progresse"], comptes["evalues"]),
        "satisfaction_moyenne": satisfaction,
        "freins": _compte_par(parcours, F("ligne__prescription__freins__code")),
        "sessions": _sessions(parcours),
    }
