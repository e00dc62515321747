"""The nominative recap of the period's people (CCTP: récapitulatif nominatif), shown on the
bilan's page, and the bilan's files: an XLSX workbook of three sheets and a PDF."""

from dataclasses import dataclass
from datetime import date

import tablib
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from import_export import fields, widgets

from documents import tableur
from documents.moindre_connaissance import Feuille, cache_au_prestataire, pour_prestataire
from documents.pdf import rendre_pdf
from prestataires.enums import EtatParcours, MomentEvaluation, Niveau
from prestataires.models import Evaluation, Parcours

from ..indicateurs import lignes_du_classeur
from ..models import BilanAnnuel
from .chiffres import Figures

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


class RecapitulatifResource(Feuille):
    """The recap's sheet; a prestataire's user gets it without the prescription's motif
    (documents/moindre_connaissance.py)."""

    nom = fields.Field(attribute="nom", column_name="Nom")
    prenom = fields.Field(attribute="prenom", column_name="Prénom")
    date_naissance = fields.Field(
        attribute="date_naissance", column_name="Date de naissance", widget=widgets.DateWidget()
    )
    niveau_formation = fields.Field(attribute="niveau_formation", column_name="Niveau de formation")
    motif_prescription = fields.Field(
        attribute="demande", column_name="Demande (motif de la prescription)"
    )
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
            "nom", "prenom", "date_naissance", "niveau_formation", "motif_prescription", "projet",
            "date", "nature_date",
        ]  # fmt: skip


def classeur(bilan: BilanAnnuel, figures: Figures, recapitulatif, user) -> bytes:
    """Three sheets: the CCTP indicators, the nominative recap, the analysis; as `user` may
    have them."""
    indicateurs = tablib.Dataset(headers=["Indicateur", "Valeur"], title="Indicateurs")
    for ligne in lignes_du_classeur(figures.indicateurs):
        indicateurs.append(ligne)
    personnes = RecapitulatifResource(pour_prestataire=pour_prestataire(user)).export(
        recapitulatif, force_native_type=True
    )
    personnes.title = "Récapitulatif nominatif"
    analyse = tablib.Dataset(headers=["Rubrique", "Contenu"], title="Analyse")
    for rubrique, contenu in [
        ("Prestataire", str(bilan.prestataire)),
        ("Lot", str(bilan.lot)),
        ("Période", f"du {bilan.du:%d/%m/%Y} au {bilan.au:%d/%m/%Y}"),
        ("État", bilan.get_etat_display()),
        ("Transmis le", timezone.localdate(bilan.transmis_le) if bilan.transmis_le else None),
        ("Analyse qualitative", bilan.analyse),
    ]:
        analyse.append([rubrique, contenu])
    return tableur.xlsx(indicateurs, personnes, analyse)


def pdf(bilan: BilanAnnuel, figures: Figures, recapitulatif, user) -> bytes:
    return rendre_pdf(
        "pdf/bilan_annuel.html",
        {
            "bilan": bilan,
            "figures": figures,
            "recapitulatif": recapitulatif,
            "sans_motif": cache_au_prestataire(user, "motif_prescription"),
            "genere_le": timezone.localtime(),
        },
    )


def nom_de_fichier(bilan: BilanAnnuel) -> str:
    return f"bilan-annuel-{bilan.prestataire.code}-lot{bilan.lot.numero}-{bilan.du}-{bilan.au}"
