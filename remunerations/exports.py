"""États de rémunération as files: the finance team's XLSX and PDF (what the screens show),
and the `etats_remuneration` command's contract (docs/contrats.md §4)."""

from dataclasses import dataclass

import tablib
from django.utils import timezone
from import_export import fields, resources, widgets

from documents import tableur
from documents.pdf import rendre_pdf

from .calcul import Ligne, Releve

# docs/contrats.md §4: the keys, in this order.
COLONNES_CONTRAT = [
    "reference",
    "nom",
    "prenom",
    "jours",
    "jours_du_mois",
    "smg_mensuel",
    "absences_heures",
    "montant_du",
    "montant_declare",
    "ecart",
]


def lignes_du_contrat(releves: list[Releve]) -> list[dict]:
    """One object per stagiaire whose parcours covers part of the month, ordered by reference
    (adjustments of earlier months are not stagiaires of the month: screens and finance files
    show them)."""
    lignes = [ligne for releve in releves for ligne in releve.lignes_du_mois]
    return [ligne.contrat() for ligne in sorted(lignes, key=lambda ligne: ligne.reference)]


def tableau_du_contrat(releves: list[Releve]) -> tablib.Dataset:
    donnees = tablib.Dataset(headers=COLONNES_CONTRAT)
    for ligne in lignes_du_contrat(releves):
        donnees.append([ligne[colonne] for colonne in COLONNES_CONTRAT])
    return donnees


@dataclass
class LigneExportee:
    releve: Releve
    ligne: Ligne

    @property
    def mois(self) -> tableur.Mois:
        return tableur.Mois.de(self.releve.mois)

    @property
    def nature(self) -> str:
        if self.ligne.ajustement:
            return f"Régularisation de {self.ligne.libelle_mois}"
        return "Mois"


def _colonne(attribut, libelle, widget=None):
    return fields.Field(attribute=attribut, column_name=libelle, widget=widget)


def _nombre(attribut, libelle):
    return _colonne(attribut, libelle, widgets.NumberWidget())


class LigneRemunerationResource(resources.Resource):
    """The finance team's sheet: one row per line, as on the état's page."""

    prestataire = _colonne("releve__prestataire__code", "Prestataire")
    mois = _colonne("mois", "Mois", widgets.DateWidget())
    etat = _colonne("releve__libelle_etat", "État")
    lot = _nombre("ligne__lot", "Lot")
    nature = _colonne("nature", "Ligne")
    reference = _colonne("ligne__reference", "Référence")
    nom = _colonne("ligne__nom", "Nom")
    prenom = _colonne("ligne__prenom", "Prénom")
    jours = _nombre("ligne__jours", "Jours rémunérés")
    jours_du_mois = _nombre("ligne__jours_du_mois", "Jours du mois")
    smg_mensuel = _nombre("ligne__smg_mensuel", "SMG mensuel")
    absences_heures = _nombre("ligne__absences_heures", "Heures d'absence")
    montant_du = _nombre("ligne__montant_du", "Montant dû")
    montant_declare = _nombre("ligne__montant_declare", "Montant versé")
    ecart = _nombre("ligne__ecart", "Écart")
    cafat = _nombre("ligne__cafat_declaree", "CAFAT versée")
    commentaire = _colonne("ligne__commentaire_finance", "Commentaire de la finance")

    class Meta:
        export_order = [
            "prestataire", "mois", "etat", "lot", "nature", "reference", "nom", "prenom",
            "jours", "jours_du_mois", "smg_mensuel", "absences_heures", "montant_du",
            "montant_declare", "ecart", "cafat", "commentaire",
        ]  # fmt: skip


def totaux(releves: list[Releve]) -> list[dict]:
    """One row per prestataire, month and lot: the screen's and the files' totals."""
    rangees = []
    for releve in releves:
        for lot, total in releve.par_lot().items():
            rangees.append({"releve": releve, "lot": lot, **total})
    return rangees


def classeur(releves: list[Releve]) -> bytes:
    """Two sheets: every line, then the totals per prestataire, month and lot."""
    lignes = LigneRemunerationResource().export(
        [LigneExportee(releve, ligne) for releve in releves for ligne in releve.lignes],
        force_native_type=True,  # numbers stay numbers in the sheet
    )
    lignes.title = "Lignes"
    synthese = tablib.Dataset(
        headers=["Prestataire", "Mois", "État", "Lot", "Montant dû", "Montant versé", "Écart"],
        title="Totaux",
    )
    for rangee in totaux(releves):
        releve = rangee["releve"]
        synthese.append(
            [
                releve.prestataire.code,
                tableur.Mois.de(releve.mois),
                releve.libelle_etat,
                rangee["lot"],
                rangee["montant_du"],
                rangee["montant_declare"],
                rangee["ecart"],
            ]
        )
    return tableur.xlsx(lignes, synthese)


def pdf(releves: list[Releve], titre: str) -> bytes:
    return rendre_pdf(
        "pdf/etats_remuneration.html",
        {
            "titre": titre,
            "releves": releves,
            "totaux": totaux(releves),
            "genere_le": timezone.localtime(),
        },
    )
