"""Reading the CCTP indicators (`calcul.calculer_indicateurs`): their French labels, the CCTP
table, the detail tables (the sessions summarised for the screen and the PDFs, every one in the
workbook), and the files: the long table (CSV), the workbook (XLSX) and the PDF."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.contrib.auth import get_user_model
from django.utils import timezone

from documents import tableur
from documents.pdf import rendre_pdf
from procurement.enums import Genre
from procurement.models import (
    Commune,
    Frein,
    NiveauFormation,
)

from .calcul import TRANCHES_AGE, taux

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
# in the band as a fraction (numerator, denominator), the highest band first.
TRANCHES_D_INTEGRATION = (
    ("100 %", (1, 1)),
    ("De 75 à moins de 100 %", (3, 4)),
    ("De 50 à moins de 75 %", (1, 2)),
    ("Moins de 50 %", (0, 1)),
)


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


def valeur_du_classeur(cle: str, valeur):
    """The value of indicator `cle` as a workbook's cell holds it: a number shown in its
    format (a rate as "80,0 %"), never its text; nothing for a rate without denominator."""
    if valeur is None:
        return None
    if cle in CLES_TAUX:
        return tableur.Nombre(valeur, tableur.FORMAT_POURCENTAGE)
    if cle == "satisfaction_moyenne":
        return tableur.Nombre(valeur, tableur.FORMAT_DEUX_DECIMALES)
    if cle == "non_entrees":
        return sum(valeur.values())
    return valeur


def lignes_du_classeur(indicateurs: dict) -> list[tuple[str, object]]:
    """The CCTP table as a workbook's sheet holds it: (French label, number)."""
    return [(LIBELLES[cle], valeur_du_classeur(cle, indicateurs[cle])) for cle in LIGNES_DU_TABLEAU]


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

    def lignes_du_classeur(self) -> list[tuple]:
        """Each row as a workbook's sheet holds it: the rates shown as percentages."""
        return [
            tuple(
                tableur.Nombre(valeur, tableur.FORMAT_POURCENTAGE)
                if rang in self.taux and valeur is not None
                else valeur
                for rang, valeur in enumerate(ligne)
            )
            for ligne in self.lignes
        ]

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
    """A count per code, each code named by its French label (users never read the codes)."""
    return Tableau(
        titre,
        feuille,
        (libelle, "Nombre"),
        [(libelles.get(code, code), nombre) for code, nombre in comptes.items()],
        nombres=(1,),
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
    """The band of a session's integration rate (a session always has an entry), compared in
    integers: presents ÷ entres ≥ a ÷ b."""
    return next(
        libelle
        for libelle, (a, b) in TRANCHES_D_INTEGRATION
        if session["presents_fin"] * b >= a * session["entres"]
    )


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
        ("Taux de la session", "Sessions", "Entrés", "Présents à la fin", "Taux d'ensemble"),
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
    for ligne in lignes_du_classeur(indicateurs):
        cctp.append(ligne)
    feuilles = [cctp]
    for tableau in tableaux_du_detail(indicateurs):
        feuille = tablib.Dataset(headers=list(tableau.colonnes), title=tableau.feuille)
        for ligne in tableau.lignes_du_classeur():
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
