"""The charts of the indicators, laid out for server-rendered inline SVG
(templates/reporting/includes/graphiques/): horizontal bars per category, and entries per
month against the contract's yearly volume. Geometry and accessible descriptions only; the
figures they draw come from `chiffres`."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

BLEU, BLEU_MOYEN, BLEU_CLAIR, GRIS, AMBRE = "#0b4f6c", "#2a7f9e", "#7fb8cc", "#b0b7bb", "#e0a100"


@dataclass
class Barre:
    libelle: str
    valeur: int
    texte: str  # the value as read: "3 (37,5 %)"
    couleur: str = BLEU
    y: float = 0
    largeur: float = 0
    x_texte: float = 0
    y_texte: float = 0


@dataclass
class GraphiqueBarres:
    """Horizontal bars, one per category, each with its label and its value written out."""

    ident: str
    titre: str
    description: str
    barres: list[Barre]
    vide: str
    largeur: int = 680
    x_barres: int = 290  # the labels are right-aligned just before this abscissa
    largeur_max: int = 300
    pas: int = 28
    hauteur: int = 0

    def __post_init__(self):
        plus_grande = max((barre.valeur for barre in self.barres), default=0) or 1
        for rang, barre in enumerate(self.barres):
            barre.y = 8 + rang * self.pas
            barre.largeur = round(barre.valeur * self.largeur_max / plus_grande, 1)
            barre.x_texte = self.x_barres + barre.largeur + 6
            # The baseline of a 13 px text centred on the bar.
            barre.y_texte = barre.y + self.hauteur_barre / 2 + 4.5
        self.hauteur = 16 + len(self.barres) * self.pas

    @property
    def x_libelles(self) -> int:
        return self.x_barres - 8

    @property
    def hauteur_barre(self) -> int:
        return self.pas - 8


def graphique_barres(ident, titre, barres: list[Barre], vide: str) -> GraphiqueBarres:
    description = " ; ".join(f"{barre.libelle} : {barre.texte}" for barre in barres) or vide
    return GraphiqueBarres(ident, titre, description + ".", barres, vide)


@dataclass
class Mois:
    mois: date
    entrees: int
    cumul: int
    cible_min: Fraction | None
    cible_max: Fraction | None
    libelle: str = ""
    libelle_court: str = ""
    montrer_libelle: bool = True
    x: float = 0  # centre of the month's slot
    x_barre: float = 0
    y_barre: float = 0
    hauteur_barre: float = 0
    y_cumul: float = 0

    @property
    def texte_cible(self) -> str:
        if self.cible_max is None:
            return "—"
        return f"{_nombre(self.cible_min)} à {_nombre(self.cible_max)}"


def _nombre(valeur: Fraction) -> str:
    """A prorated target, one decimal, rounded half up: "8,9"."""
    exact = Decimal(valeur.numerator) / Decimal(valeur.denominator)
    return f"{exact.quantize(Decimal('0.1'), ROUND_HALF_UP)}".replace(".", ",")


def _pas_de_graduation(maximum: float) -> int:
    """A round step (1, 2, 5, 10, 20, 50...) giving at most 5 intervals up to `maximum`."""
    pas = 1
    while True:
        for facteur in (1, 2, 5):
            if maximum <= 5 * pas * facteur:
                return pas * facteur
        pas *= 10


@dataclass
class GraphiqueMensuel:
    """Entries per month (bars), their running total (line) and the contract's yearly volume
    prorated over the period (band between the minimum and the maximum)."""

    ident: str
    titre: str
    mois: list[Mois]
    volume: tuple[int, int] | None
    largeur: int = 720
    hauteur: int = 300
    gauche: int = 48
    droite: int = 16
    haut: int = 16
    bas: int = 64
    graduations: list[tuple[float, int]] = field(default_factory=list)
    points_cumul: str = ""
    points_bande: str = ""
    largeur_barre: float = 0

    def __post_init__(self):
        zone_l = self.largeur - self.gauche - self.droite
        zone_h = self.hauteur - self.haut - self.bas
        plafond = max(
            [1]
            + [m.cumul for m in self.mois]
            + [float(m.cible_max) for m in self.mois if m.cible_max is not None]
        )
        pas = _pas_de_graduation(plafond)
        sommet = pas * -(-plafond // pas)  # the first graduation at or above the highest value

        def y(valeur) -> float:
            return round(self.haut + zone_h - float(valeur) * zone_h / sommet, 1)

        self.graduations = [(y(v), v) for v in range(0, int(sommet) + 1, pas)]
        creneau = zone_l / max(len(self.mois), 1)
        self.largeur_barre = round(creneau * 0.6, 1)
        tous_les = -(-len(self.mois) // 12)  # at most 12 month labels on the axis
        for rang, mois in enumerate(self.mois):
            mois.x = round(self.gauche + creneau * (rang + 0.5), 1)
            mois.x_barre = round(mois.x - self.largeur_barre / 2, 1)
            mois.y_barre = y(mois.entrees)
            mois.hauteur_barre = round(self.haut + zone_h - mois.y_barre, 1)
            mois.y_cumul = y(mois.cumul)
            mois.montrer_libelle = rang % tous_les == 0
        self.points_cumul = " ".join(f"{m.x},{m.y_cumul}" for m in self.mois)
        if self.volume:
            haut = [f"{m.x},{y(m.cible_max)}" for m in self.mois]
            bas = [f"{m.x},{y(m.cible_min)}" for m in reversed(self.mois)]
            self.points_bande = " ".join(haut + bas)

    @property
    def y_axe(self) -> int:
        return self.hauteur - self.bas

    @property
    def y_libelles(self) -> int:
        return self.hauteur - self.bas + 16

    @property
    def y_legende(self) -> int:
        return self.hauteur - 18

    @property
    def x_droite(self) -> int:
        return self.largeur - self.droite

    @property
    def dernier(self) -> Mois:
        return self.mois[-1]

    @property
    def total(self) -> int:
        return self.mois[-1].cumul if self.mois else 0

    @property
    def description(self) -> str:
        par_mois = " ; ".join(f"{m.libelle} : {m.entrees}" for m in self.mois)
        texte = f"Entrées par mois : {par_mois}. Total sur la période : {self.total}."
        if self.volume:
            dernier = self.mois[-1]
            texte += (
                f" Volume annuel du marché : {self.volume[0]} à {self.volume[1]} personnes, "
                f"soit {dernier.texte_cible} au prorata de la période."
            )
        else:
            texte += " Aucun volume annuel n'est fixé pour cette sélection."
        return texte
