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

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import reduce
from operator import add

import tablib
from django.contrib.auth import get_user_model
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
from django.utils import timezone

from documents import tableur
from documents.pdf import rendre_pdf
from prestataires.enums import MomentEvaluation
from prestataires.models import Parcours
from prestataires.models.parcours import AXES_EVALUATION
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import ClasseSortie, Decision, EtatPrescription, Genre
from procurement.models import (
    Commune,
    Frein,
    NiveauFormation,
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

# The French label of every indicator (the JSON keys of docs/contrats.md §3).
LIBELLES = {
    "prescriptions": "Prescriptions de la période (personnes orientées)",
    "entrees": "Entrées en parcours (effectif initial)",
    "taux_entree": "Taux d'entrée",
    "non_entrees": "Non-entrées (refus de la commission)",
    "typologie": "Typologie des orientés",
    "en_cours": "Parcours toujours en cours",
    "sorties": "Sorties",
    "sorties_anticipees": "Sorties anticipées et ruptures",
    "taux_sortie_anticipee": "Taux de sortie anticipée",
    "emploi_durable": "Sorties en emploi durable (ED)",
    "taux_emploi_durable": "Taux d'insertion dans l'emploi durable",
    "sorties_dynamiques": "Sorties dynamiques (SD, ED comprises)",
    "taux_sortie_dynamique": "Taux de sortie dynamique",
    "sorties_positives": "Sorties positives (SP, SD comprises)",
    "taux_sortie_positive": "Taux de sortie positive",
    "placements": "Placements (en emploi ou en activité à la sortie)",
    "taux_duree": "Taux de la durée du parcours",
    "taux_progression": "Taux de progression",
    "satisfaction_moyenne": "Satisfaction moyenne (sur 5)",
    "freins": "Typologie des freins",
    "sessions": "Taux d'intégration par session",
}
# The indicators that are rates (0 to 1, shown as percentages).
CLES_TAUX = (
    "taux_entree",
    "taux_sortie_anticipee",
    "taux_emploi_durable",
    "taux_sortie_dynamique",
    "taux_sortie_positive",
    "taux_duree",
    "taux_progression",
)
# The rows of the CCTP table, in the order of docs/domaine.md's table.
LIGNES_DU_TABLEAU = (
    "prescriptions",
    "entrees",
    "taux_entree",
    "non_entrees",
    "en_cours",
    "sorties",
    "sorties_anticipees",
    "taux_sortie_anticipee",
    "emploi_durable",
    "taux_emploi_durable",
    "sorties_dynamiques",
    "taux_sortie_dynamique",
    "sorties_positives",
    "taux_sortie_positive",
    "placements",
    "taux_duree",
    "taux_progression",
    "satisfaction_moyenne",
)
LIBELLES_TYPOLOGIE = {
    "genre": "Genre",
    "tranche_age": "Âge à la prescription",
    "niveau_formation": "Niveau de formation",
    "commune": "Commune de résidence",
    "conseiller": "Conseiller prescripteur",
}
VIDE = "—"
# The screen and the PDF summarise the sessions: a period of years holds thousands of them
# (about one for ten people). They show the sessions' spread by integration rate and the largest
# ones; the row of every session is in the workbook (`classeur`) and the JSON.
SESSIONS_LES_PLUS_NOMBREUSES = 10
# Bands of a session's integration rate (presents_fin ÷ entres): label, and the lowest rate
# in the band, the highest band first.
TRANCHES_D_INTEGRATION = (
    ("100 %", Fraction(1)),
    ("De 75 % à moins de 100 %", Fraction(3, 4)),
    ("De 50 % à moins de 75 %", Fraction(1, 2)),
    ("Moins de 50 %", Fraction(0)),
)


# --- Computation ------------------------------------------------------------------------


def arrondi(valeur: Fraction, decimales: int) -> float:
    """`valeur` (not negative) rounded half up to `decimales` decimals, exactly: 0.45445 gives
    0.4545, never 0.4544 from a binary float's drift."""
    echelle = 10**decimales
    return float(Decimal(math.floor(valeur * echelle + Fraction(1, 2))).scaleb(-decimales))


def taux(numerateur: int | Fraction, denominateur: int) -> float | None:
    """A rate rounded to 4 decimals; None when there is nothing to divide by."""
    if not denominateur:
        return None
    return arrondi(Fraction(numerateur) / denominateur, 4)


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


# --- Reading: the CCTP table, its detail tables and the files ------------------------------


def pourcentage(valeur: float | None) -> str:
    """0.4545 -> "45,5 %"; "—" for a rate without denominator."""
    if valeur is None:
        return VIDE
    pourcent = (Decimal(str(valeur)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{pourcent} %".replace(".", ",")


def formater(cle: str, valeur) -> str:
    """The value of indicator `cle` as French readers write it."""
    if valeur is None:
        return VIDE
    if cle in CLES_TAUX:
        return pourcentage(valeur)
    if cle == "satisfaction_moyenne":
        return f"{Decimal(str(valeur)).quantize(Decimal('0.01'))}".replace(".", ",")
    if cle == "non_entrees":
        return str(sum(valeur.values()))
    return str(valeur)


def lignes_du_tableau(indicateurs: dict) -> list[tuple[str, str]]:
    """The CCTP table: (French label, formatted value), in the order of docs/domaine.md's table;
    the non-entrées row is their total over the motifs."""
    return [(LIBELLES[cle], formater(cle, indicateurs[cle])) for cle in LIGNES_DU_TABLEAU]


@dataclass
class Tableau:
    """A detail table: non-entrées, typologies, freins, sessions. `lignes` hold raw values
    (numbers stay numbers in a sheet); the columns in `nombres` are numbers, those in `taux`
    rates among them."""

    titre: str
    feuille: str  # its sheet's name in the workbook (31 characters, no ":")
    colonnes: tuple[str, ...]
    lignes: list[tuple]
    nombres: tuple[int, ...]
    taux: tuple[int, ...] = ()

    def entetes(self) -> list[tuple[str, bool]]:
        """(column, is a number) for each column."""
        return [(colonne, rang in self.nombres) for rang, colonne in enumerate(self.colonnes)]

    def lignes_affichees(self) -> list[list[tuple[str, bool]]]:
        """Each row as (French text, is a number) cells."""
        return [
            [
                (pourcentage(valeur) if rang in self.taux else str(valeur), rang in self.nombres)
                for rang, valeur in enumerate(ligne)
            ]
            for ligne in self.lignes
        ]


def _libelles_des_codes(indicateurs: dict) -> dict[str, dict[str, str]]:
    """The labels of the codes the indicators name (four small queries)."""
    typologie = indicateurs["typologie"]
    conseillers = get_user_model().objects.filter(username__in=typologie["conseiller"])
    return {
        "frein": dict(Frein.objects.values_list("code", "libelle")),
        "niveau_formation": dict(NiveauFormation.objects.values_list("code", "libelle")),
        "commune": dict(Commune.objects.values_list("code", "libelle")),
        "conseiller": {
            user.username: user.get_full_name() or user.username for user in conseillers
        },
        "genre": dict(Genre.choices),
        "tranche_age": TRANCHES_AGE,
    }


def _par_code(titre, feuille, libelle, comptes: dict, libelles: dict) -> Tableau:
    return Tableau(
        titre,
        feuille,
        (libelle, "Code", "Nombre"),
        [(libelles.get(code, code), code, nombre) for code, nombre in comptes.items()],
        nombres=(2,),
    )


def tableaux_du_detail(indicateurs: dict) -> list[Tableau]:
    """The tables beside the CCTP table, codes named by their labels."""
    libelles = _libelles_des_codes(indicateurs)
    typologie = indicateurs["typologie"]
    tableaux = [
        _par_code(
            "Non-entrées par motif de refus",
            "Non-entrées",
            "Motif",
            indicateurs["non_entrees"],
            libelles["frein"],
        )
    ]
    for cle, libelle in LIBELLES_TYPOLOGIE.items():
        tableaux.append(
            _par_code(
                f"Typologie des orientés : {libelle.lower()}",
                libelle,
                libelle,
                typologie[cle],
                libelles[cle],
            )
        )
    tableaux.append(
        _par_code(
            "Freins des personnes entrées",
            "Freins",
            "Frein",
            indicateurs["freins"],
            libelles["frein"],
        )
    )
    tableaux.append(
        Tableau(
            LIBELLES["sessions"],
            "Sessions",
            ("Session", "Entrés", "Présents à la fin", "Taux d'intégration"),
            [
                (s["session"], s["entres"], s["presents_fin"], s["taux_integration"])
                for s in indicateurs["sessions"]
            ],
            nombres=(1, 2, 3),
            taux=(3,),
        )
    )
    return tableaux


def _tranche_d_integration(session: dict) -> str:
    """The band of a session's integration rate (a session always has an entry)."""
    rapport = Fraction(session["presents_fin"], session["entres"])
    return next(libelle for libelle, plancher in TRANCHES_D_INTEGRATION if rapport >= plancher)


def synthese_des_sessions(indicateurs: dict) -> list[Tableau]:
    """The sessions of the cohort in a few rows, whatever their number: the sessions counted by
    band of integration rate with their people (and the total over all), then the largest
    sessions (most people entered, then by session), or every session when there are few. Read
    from the indicators alone, without a query."""
    sessions = indicateurs["sessions"]
    colonnes = ("Entrés", "Présents à la fin", "Taux d'intégration")
    par_tranche = {libelle: [0, 0, 0] for libelle, _ in TRANCHES_D_INTEGRATION}
    for session in sessions:
        comptes = par_tranche[_tranche_d_integration(session)]
        comptes[0] += 1
        comptes[1] += session["entres"]
        comptes[2] += session["presents_fin"]
    total = [sum(comptes[rang] for comptes in par_tranche.values()) for rang in range(3)]
    tranches = Tableau(
        "Sessions par taux d'intégration",
        "Sessions par taux",
        ("Taux d'intégration de la session", "Sessions", *colonnes),
        [
            (libelle, nombre, entres, presents, taux(presents, entres))
            for libelle, (nombre, entres, presents) in [
                *par_tranche.items(),
                ("Toutes les sessions", total),
            ]
        ]
        if sessions
        else [],
        nombres=(1, 2, 3, 4),
        taux=(4,),
    )
    titre = LIBELLES["sessions"]
    if len(sessions) > SESSIONS_LES_PLUS_NOMBREUSES:
        titre = (
            f"Les {SESSIONS_LES_PLUS_NOMBREUSES} sessions les plus nombreuses, sur "
            f"{len(sessions)} (toutes dans le classeur XLSX des indicateurs)"
        )
    plus_nombreuses = sorted(sessions, key=lambda s: (-s["entres"], s["session"]))
    sessions_affichees = Tableau(
        titre,
        "Sessions les plus nombreuses",
        ("Session", *colonnes),
        [
            (s["session"], s["entres"], s["presents_fin"], s["taux_integration"])
            for s in plus_nombreuses[:SESSIONS_LES_PLUS_NOMBREUSES]
        ],
        nombres=(1, 2, 3),
        taux=(3,),
    )
    return [tranches, sessions_affichees]


def tableaux_affiches(indicateurs: dict) -> list[Tableau]:
    """The detail tables of the screen and of the PDFs: those of the workbook, but the
    sessions summarised (`synthese_des_sessions`)."""
    return [
        tableau for tableau in tableaux_du_detail(indicateurs) if tableau.feuille != "Sessions"
    ] + synthese_des_sessions(indicateurs)


def _a_plat(prefixe: str, valeur) -> list[tuple[str, object]]:
    if isinstance(valeur, dict):
        return [
            ligne for cle, sous in valeur.items() for ligne in _a_plat(f"{prefixe}.{cle}", sous)
        ]
    if isinstance(valeur, list):  # the sessions, keyed by their session
        return [
            ligne
            for objet in valeur
            for cle, sous in objet.items()
            if cle != "session"
            for ligne in _a_plat(f"{prefixe}.{objet['session']}.{cle}", sous)
        ]
    return [(prefixe, valeur)]


def tableau_a_plat(indicateurs: dict) -> tablib.Dataset:
    """The indicators as one long table (indicateur, valeur): nested objects flattened as
    `non_entrees.mobilite`, `typologie.genre.F`, `sessions.<session>.entres`; null is an empty
    cell."""
    donnees = tablib.Dataset(headers=["indicateur", "valeur"], title="Données")
    for cle, valeur in indicateurs.items():
        for ligne in _a_plat(cle, valeur):
            donnees.append(ligne)
    return donnees


def libelle_perimetre(du: date, au: date, *, lot=None, prestataire=None) -> str:
    """ "du 01/01/2026 au 31/12/2026, lot 1, prestataire ALPHA" (or every lot, every
    prestataire)."""
    return ", ".join(
        [
            f"du {du:%d/%m/%Y} au {au:%d/%m/%Y}",
            f"lot {lot}" if lot is not None else "tous les lots",
            f"prestataire {prestataire}" if prestataire is not None else "tous les prestataires",
        ]
    )


def classeur(indicateurs: dict) -> bytes:
    """The workbook: the CCTP table as read, one sheet per detail table, and the raw values
    (the long table) for calculations."""
    cctp = tablib.Dataset(headers=["Indicateur", "Valeur"], title="Tableau CCTP")
    for ligne in lignes_du_tableau(indicateurs):
        cctp.append(ligne)
    feuilles = [cctp]
    for tableau in tableaux_du_detail(indicateurs):
        feuille = tablib.Dataset(headers=list(tableau.colonnes), title=tableau.feuille)
        for ligne in tableau.lignes:
            feuille.append(ligne)
        feuilles.append(feuille)
    feuilles.append(tableau_a_plat(indicateurs))
    return tableur.xlsx(*feuilles)


def pdf(indicateurs: dict, perimetre: str) -> bytes:
    """The CCTP table and the detail tables, the sessions summarised: a few pages for any
    period."""
    return rendre_pdf(
        "pdf/indicateurs.html",
        {
            "perimetre": perimetre,
            "lignes": lignes_du_tableau(indicateurs),
            "tableaux": tableaux_affiches(indicateurs),
            "genere_le": timezone.localtime(),
        },
    )
