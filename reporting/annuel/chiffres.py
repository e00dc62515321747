"""The figures of one selection (a period, a lot, a prestataire), computed on demand: the
CCTP indicators and their detail tables (`reporting.indicateurs`), the entries per month
against the yearly volume, and the data of each chart."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.dateformat import format as format_date

from procurement.calendrier import dernier_jour_du_mois, mois_entre
from procurement.models import AttributionLot, Frein

from ..indicateurs import (
    Tableau,
    calculer_indicateurs,
    cohorte,
    libelle_perimetre,
    lignes_du_tableau,
    pourcentage,
    tableaux_affiches,
    taux,
)
from .graphiques import (
    AMBRE,
    BLEU,
    BLEU_CLAIR,
    BLEU_MOYEN,
    GRIS,
    Barre,
    GraphiqueBarres,
    GraphiqueMensuel,
    Mois,
    graphique_barres,
)

# --- The filters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filtres:
    """A period (both ends included), a lot number and a prestataire code (None: all)."""

    du: date
    au: date
    lot: int | None = None
    prestataire: str | None = None

    def parametres(self) -> str:
        """The query string of the indicators page showing these figures."""
        valeurs = {"du": self.du.isoformat(), "au": self.au.isoformat()}
        if self.lot:
            valeurs["lot"] = self.lot
        if self.prestataire:
            valeurs["prestataire"] = self.prestataire
        return urlencode(valeurs)

    @property
    def perimetre(self) -> str:
        return libelle_perimetre(self.du, self.au, lot=self.lot, prestataire=self.prestataire)

    @property
    def nom_de_fichier(self) -> str:
        return "-".join(
            [
                "indicateurs",
                self.du.isoformat(),
                self.au.isoformat(),
                f"lot{self.lot}" if self.lot else "tous-lots",
                self.prestataire or "tous-prestataires",
            ]
        )


# --- Figures beyond the CCTP table ------------------------------------------------------------


def part(nombre: int, total: int) -> str:
    """A count and its share of `total`: "3 (37,5 %)"."""
    return f"{nombre} ({pourcentage(taux(nombre, total))})"


def entrees_par_mois(filtres: Filtres) -> dict[date, int]:
    """The cohort's entries counted per month of entry (first day of the month), in one
    aggregation query."""
    lignes = (
        cohorte(filtres.du, filtres.au, lot=filtres.lot, prestataire=filtres.prestataire)
        .annotate(mois=TruncMonth("date_entree"))
        .values("mois")
        .annotate(nombre=Count("pk"))
        .order_by("mois")
    )
    return {ligne["mois"]: ligne["nombre"] for ligne in lignes}


def volume_annuel(filtres: Filtres) -> tuple[int, int] | None:
    """The yearly volume the contract sets (AttributionLot.volume_annuel_min/max), summed over
    the attributions of the filtered lot(s) and prestataire(s) in force during the period; None
    when there is none."""
    attributions = AttributionLot.objects.filter(date_debut__lte=filtres.au).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=filtres.du)
    )
    if filtres.lot:
        attributions = attributions.filter(lot__numero=filtres.lot)
    if filtres.prestataire:
        attributions = attributions.filter(prestataire__code=filtres.prestataire)
    volumes = attributions.aggregate(
        minimum=Sum("volume_annuel_min"), maximum=Sum("volume_annuel_max")
    )
    if volumes["maximum"] is None:
        return None
    return volumes["minimum"], volumes["maximum"]


def graphique_des_entrees(filtres: Filtres) -> GraphiqueMensuel:
    """Entries per month against the yearly volume: the target of the months elapsed is the
    yearly volume × the period's days elapsed at the end of the month ÷ 365."""
    par_mois, volume = entrees_par_mois(filtres), volume_annuel(filtres)
    mois_list, cumul = [], 0
    for premier in mois_entre(filtres.du, filtres.au):
        cumul += par_mois.get(premier, 0)
        jours = (min(dernier_jour_du_mois(premier), filtres.au) - filtres.du).days + 1
        cible = (
            (Fraction(volume[0] * jours, 365), Fraction(volume[1] * jours, 365))
            if volume
            else (None, None)
        )
        mois_list.append(
            Mois(
                mois=premier,
                entrees=par_mois.get(premier, 0),
                cumul=cumul,
                cible_min=cible[0],
                cible_max=cible[1],
                libelle=format_date(premier, "F Y"),
                libelle_court=format_date(premier, "N y"),
            )
        )
    return GraphiqueMensuel(
        "entrees-par-mois", "Entrées par mois et volume annuel", mois_list, volume
    )


# --- The indicators, laid out -----------------------------------------------------------------


@dataclass
class Figures:
    """Everything the indicators page, the bilan annuel and its files show for one selection:
    the CCTP table and the detail tables of `reporting.indicateurs` (the sessions summarised:
    `tableaux_affiches`), and the charts."""

    filtres: Filtres
    indicateurs: dict
    lignes: list[tuple[str, str]]
    tableaux: list[Tableau]
    sorties: GraphiqueBarres
    freins: GraphiqueBarres
    entrees: GraphiqueMensuel


def graphique_des_sorties(indicateurs: dict) -> GraphiqueBarres:
    """The cohort split by the CCTP class of its exit (each person counted once here: "SD" is
    the dynamic exits that are not lasting employment, and so on), and those still running."""
    entrees = indicateurs["entrees"]
    ed = indicateurs["emploi_durable"]
    sd = indicateurs["sorties_dynamiques"] - ed
    sp = indicateurs["sorties_positives"] - indicateurs["sorties_dynamiques"]
    aucune = indicateurs["sorties"] - indicateurs["sorties_positives"]
    categories = [
        ("Emploi durable (ED)", ed, BLEU),
        ("Sortie dynamique hors ED (SD)", sd, BLEU_MOYEN),
        ("Sortie positive hors SD (SP)", sp, BLEU_CLAIR),
        ("Sortie sans solution positive", aucune, GRIS),
        ("Toujours en parcours", indicateurs["en_cours"], AMBRE),
    ]
    return graphique_barres(
        "sorties-par-classe",
        f"Situation des {entrees} personnes entrées sur la période",
        [
            Barre(libelle, nombre, part(nombre, entrees), couleur)
            for libelle, nombre, couleur in categories
        ]
        if entrees
        else [],
        "Aucune entrée sur la période.",
    )


def graphique_des_freins(indicateurs: dict) -> GraphiqueBarres:
    """The freins of the cohort's people, the most frequent first."""
    libelles = dict(Frein.objects.values_list("code", "libelle"))
    comptes = sorted(indicateurs["freins"].items(), key=lambda item: (-item[1], item[0]))
    return graphique_barres(
        "freins",
        "Freins des personnes entrées",
        [
            Barre(libelles.get(code, code), nombre, part(nombre, indicateurs["entrees"]))
            for code, nombre in comptes
        ],
        "Aucun frein relevé chez les personnes entrées.",
    )


def figures(filtres: Filtres) -> Figures:
    """The indicators of the selection (`calculer_indicateurs`), their tables and charts."""
    indicateurs = calculer_indicateurs(
        filtres.du, filtres.au, lot=filtres.lot, prestataire=filtres.prestataire
    )
    return Figures(
        filtres=filtres,
        indicateurs=indicateurs,
        lignes=lignes_du_tableau(indicateurs),
        tableaux=tableaux_affiches(indicateurs),
        sorties=graphique_des_sorties(indicateurs),
        freins=graphique_des_freins(indicateurs),
        entrees=graphique_des_entrees(filtres),
    )
