"""The bilan annuel (DOMAIN.md step 10, CCTP "bilan annuel" per action): the indicators of a
period, lot and prestataire laid out as tables and charts, the nominative recap of the
period's people, and the bilan record the prestataire's direction writes its analysis in.

The DEL may ask for it at any time: everything here is computed on demand for any period,
from `reporting.indicateurs.calculer_indicateurs` and a few aggregation queries (their number
does not grow with the number of parcours).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import urlencode

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.dateformat import format as format_date
from import_export import fields, resources, widgets

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from documents.pdf import rendre_pdf
from prestataires.enums import EtatParcours, MomentEvaluation, Niveau
from prestataires.models import Evaluation, Parcours
from procurement.calendrier import dernier_jour_du_mois, mois_entre
from procurement.models import AttributionLot, Frein, Lot, Prestataire
from workflows.notifications import notifier

from .enums import EtatBilanAnnuel
from .indicateurs import (
    Tableau,
    calculer_indicateurs,
    cohorte,
    libelle_perimetre,
    lignes_du_tableau,
    pourcentage,
    tableaux_du_detail,
    taux,
)
from .models import BilanAnnuel

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


# --- Charts: server-rendered inline SVG (templates/reporting/includes/graphiques/) ----------

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


def _graphique_barres(ident, titre, barres: list[Barre], vide: str) -> GraphiqueBarres:
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
    the CCTP table and the detail tables of `reporting.indicateurs`, and the charts."""

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
    return _graphique_barres(
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
    return _graphique_barres(
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
        tableaux=tableaux_du_detail(indicateurs),
        sorties=graphique_des_sorties(indicateurs),
        freins=graphique_des_freins(indicateurs),
        entrees=graphique_des_entrees(filtres),
    )


# --- The bilan annuel record ------------------------------------------------------------------


def lots_tenus(prestataire_id):
    """The lots a prestataire holds or held (its attributions)."""
    return Lot.objects.filter(attributions__prestataire_id=prestataire_id).distinct()


def filtres_du_bilan(bilan: BilanAnnuel) -> Filtres:
    return Filtres(bilan.du, bilan.au, lot=bilan.lot.numero, prestataire=bilan.prestataire.code)


def peut_rediger(bilan: BilanAnnuel, user) -> bool:
    """Only the prestataire's direction writes and sends its bilan annuel."""
    return user.prestataire_id == bilan.prestataire_id and user.has_perm(
        "reporting.rediger_bilanannuel"
    )


def peut_demander(user) -> bool:
    """The DEL's managers (who read every prestataire's indicators) ask for a bilan."""
    return not user.prestataire_id and user.has_perm("reporting.consulter_indicateurs")


def peut_ouvrir(user) -> bool:
    return peut_demander(user) or bool(
        user.prestataire_id and user.has_perm("reporting.rediger_bilanannuel")
    )


def _periode(bilan: BilanAnnuel) -> str:
    return (
        f"{bilan.prestataire.code}, lot {bilan.lot.numero}, du {bilan.du:%d/%m/%Y} "
        f"au {bilan.au:%d/%m/%Y}"
    )


def ouvrir(*, prestataire_id: int, lot: Lot, du: date, au: date, par) -> BilanAnnuel:
    """The prestataire's direction opens its bilan, or the DEL asks the prestataire for one
    (its direction is told, with the link). Refused: someone else, a lot the prestataire does
    not hold over the period, a period that already has its bilan."""
    if par.prestataire_id and not (
        par.prestataire_id == prestataire_id and par.has_perm("reporting.rediger_bilanannuel")
    ):
        raise PermissionDenied("Seule la direction du prestataire ouvre son bilan annuel.")
    if not par.prestataire_id and not peut_demander(par):
        raise PermissionDenied("Seuls les gestionnaires de la DEL demandent un bilan annuel.")
    prestataire = Prestataire.objects.get(pk=prestataire_id)
    tient_le_lot = (
        AttributionLot.objects.filter(prestataire_id=prestataire_id, lot=lot, date_debut__lte=au)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=du))
        .exists()
    )
    if not tient_le_lot:
        raise ValidationError(
            {"lot": f"{prestataire.code} ne tient pas le lot {lot.numero} sur cette période."}
        )
    bilan = BilanAnnuel(
        prestataire=prestataire,
        lot=lot,
        du=du,
        au=au,
        demande_par=None if par.prestataire_id else par,
    )
    with transaction.atomic():
        existant = BilanAnnuel.objects.filter(prestataire=prestataire, lot=lot, du=du, au=au)
        if existant.exists():
            raise ValidationError(
                f"Le bilan annuel {_periode(bilan)} existe déjà : ouvrez-le depuis la liste."
            )
        bilan.save()
        if bilan.demande_par:
            for destinataire in utilisateurs_du_role(
                Role.PRESTATAIRE_DIRECTION, prestataire_id=prestataire_id
            ):
                notifier(
                    destinataire,
                    f"La DEL demande le bilan annuel {_periode(bilan)} : rédigez l'analyse et "
                    "transmettez-le.",
                    bilan.get_absolute_url(),
                )
    return bilan


def _verrouiller(bilan: BilanAnnuel) -> BilanAnnuel:
    return (
        BilanAnnuel.objects.select_for_update(of=("self",))
        .select_related("prestataire", "lot")
        .get(pk=bilan.pk)
    )


def exiger_brouillon(bilan: BilanAnnuel):
    if bilan.etat != EtatBilanAnnuel.BROUILLON:
        raise ValidationError(
            f"Ce bilan annuel a été transmis à la DEL le "
            f"{timezone.localtime(bilan.transmis_le):%d/%m/%Y} : il ne peut plus être modifié "
            "ni transmis de nouveau."
        )


def enregistrer_analyse(bilan: BilanAnnuel, *, par, analyse: str) -> BilanAnnuel:
    """The direction writes its analysis while the bilan is a draft."""
    if not peut_rediger(bilan, par):
        raise PermissionDenied("Seule la direction du prestataire rédige ce bilan annuel.")
    with transaction.atomic():
        bilan = _verrouiller(bilan)
        exiger_brouillon(bilan)
        bilan.analyse = analyse.strip()
        bilan.save(update_fields=["analyse"])
    return bilan


def transmettre(bilan: BilanAnnuel, *, par, analyse: str) -> BilanAnnuel:
    """Save the analysis and send the bilan to the DEL in one step (its transition is
    journaled); whoever asked for it, or else the gestionnaires, are told."""
    with transaction.atomic():
        bilan = enregistrer_analyse(bilan, par=par, analyse=analyse)
        if not bilan.analyse:
            raise ValidationError(
                {"analyse": "Rédigez l'analyse qualitative avant de transmettre le bilan."}
            )
        bilan.transmettre(par=par, le=timezone.now())
        bilan.save()
        destinataires = (
            [bilan.demande_par]
            if bilan.demande_par_id
            else list(utilisateurs_du_role(Role.GESTIONNAIRE))
        )
        for destinataire in destinataires:
            notifier(
                destinataire,
                f"Le bilan annuel {_periode(bilan)} est transmis par {bilan.prestataire.code}.",
                bilan.get_absolute_url(),
            )
    return bilan


# --- The nominative recap (CCTP: récapitulatif nominatif) ----------------------------------


@dataclass
class LigneRecapitulatif:
    nom: str
    prenom: str
    date_naissance: date
    niveau_formation: str
    demande: str  # the prescription's motif
    projet_a_l_entree: str  # the entry evaluation's "projet défini et plan d'action" axis
    date: date  # entry, or first contact while not entered
    nature_date: str


def recapitulatif_nominatif(bilan: BilanAnnuel) -> list[LigneRecapitulatif]:
    """The period's people of that prestataire and lot: parcours entered in the period, or
    first met in it and not entered yet (withdrawals excepted). One query."""
    projet_a_l_entree = Evaluation.objects.filter(
        parcours=OuterRef("pk"), moment=MomentEvaluation.ENTREE
    ).values("projet")[:1]
    parcours_list = (
        Parcours.objects.filter(prestataire_id=bilan.prestataire_id, lot_id=bilan.lot_id)
        .exclude(etat=EtatParcours.ANNULE)
        .filter(
            Q(date_entree__range=(bilan.du, bilan.au))
            | Q(date_entree__isnull=True, date_premier_contact__range=(bilan.du, bilan.au))
        )
        .select_related("demandeur__niveau_formation", "ligne__prescription")
        .annotate(projet_a_l_entree=Subquery(projet_a_l_entree))
        .order_by("demandeur__nom", "demandeur__prenom", "pk")
    )
    return [
        LigneRecapitulatif(
            nom=p.demandeur.nom,
            prenom=p.demandeur.prenom,
            date_naissance=p.demandeur.date_naissance,
            niveau_formation=p.demandeur.niveau_formation.libelle,
            demande=p.ligne.prescription.motif,
            projet_a_l_entree=(
                Niveau(p.projet_a_l_entree).label if p.projet_a_l_entree else "pas encore évalué"
            ),
            date=p.date_entree or p.date_premier_contact,
            nature_date="entrée" if p.date_entree else "premier contact",
        )
        for p in parcours_list
    ]


# --- Files: XLSX (three sheets) and PDF -------------------------------------------------------


class RecapitulatifResource(resources.Resource):
    nom = fields.Field(attribute="nom", column_name="Nom")
    prenom = fields.Field(attribute="prenom", column_name="Prénom")
    date_naissance = fields.Field(
        attribute="date_naissance", column_name="Date de naissance", widget=widgets.DateWidget()
    )
    niveau_formation = fields.Field(attribute="niveau_formation", column_name="Niveau de formation")
    demande = fields.Field(attribute="demande", column_name="Demande (motif de la prescription)")
    projet = fields.Field(
        attribute="projet_a_l_entree", column_name="Projet à l'entrée (évaluation)"
    )
    date = fields.Field(
        attribute="date",
        column_name="Date d'entrée ou de premier contact",
        widget=widgets.DateWidget(),
    )
    nature_date = fields.Field(attribute="nature_date", column_name="Nature de la date")

    class Meta:
        export_order = [
            "nom", "prenom", "date_naissance", "niveau_formation", "demande", "projet", "date",
            "nature_date",
        ]  # fmt: skip


@dataclass
class LigneIndicateur:
    libelle: str
    valeur: str


class IndicateurResource(resources.Resource):
    libelle = fields.Field(attribute="libelle", column_name="Indicateur")
    valeur = fields.Field(attribute="valeur", column_name="Valeur")

    class Meta:
        export_order = ["libelle", "valeur"]


def classeur(bilan: BilanAnnuel, figures: Figures, recapitulatif) -> bytes:
    """Three sheets: the CCTP indicators, the nominative recap, the analysis."""
    indicateurs = IndicateurResource().export(
        [LigneIndicateur(libelle, valeur) for libelle, valeur in figures.lignes]
    )
    indicateurs.title = "Indicateurs"
    personnes = RecapitulatifResource().export(recapitulatif, force_native_type=True)
    personnes.title = "Récapitulatif nominatif"
    analyse = tablib.Dataset(headers=["Rubrique", "Contenu"], title="Analyse")
    for rubrique, contenu in [
        ("Prestataire", str(bilan.prestataire)),
        ("Lot", str(bilan.lot)),
        ("Période", f"du {bilan.du:%d/%m/%Y} au {bilan.au:%d/%m/%Y}"),
        ("État", bilan.get_etat_display()),
        (
            "Transmis le",
            f"{timezone.localtime(bilan.transmis_le):%d/%m/%Y}" if bilan.transmis_le else "",
        ),
        ("Analyse qualitative", bilan.analyse),
    ]:
        analyse.append([rubrique, contenu])
    return tablib.Databook([indicateurs, personnes, analyse]).export("xlsx")


def pdf(bilan: BilanAnnuel, figures: Figures, recapitulatif) -> bytes:
    return rendre_pdf(
        "pdf/bilan_annuel.html",
        {
            "bilan": bilan,
            "figures": figures,
            "recapitulatif": recapitulatif,
            "genere_le": timezone.localtime(),
        },
    )


def nom_de_fichier(bilan: BilanAnnuel) -> str:
    return f"bilan-annuel-{bilan.prestataire.code}-lot{bilan.lot.numero}-{bilan.du}-{bilan.au}"
