"""The history files the import's stories write (docs/contrats.md §2): a valid row, ALPHA's
summer 2024 session with what became of each person, the same rows as CSV or XLSX, the command
run on them, and a count of the records the import touches. The clock of these stories is
MAINTENANT (the `le_jour_de_l_import` fixture of this folder's conftest)."""

from datetime import date, datetime
from io import StringIO

import tablib
from django.core.management import call_command

from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.models import Entreprise, Evaluation, Parcours, Stage
from procurement.models import Demandeur, PassageCommission, Prescription, SessionCommission
from reporting.importation import COLONNES
from reporting.models import BilanFinParcours
from tests.prestataires.conftest import NOUMEA

MAINTENANT = datetime(2026, 11, 24, 10, tzinfo=NOUMEA)


def rangee(**valeurs):
    """A valid row: a prescription on lot 1 at ALPHA that never went to the commission."""
    return {
        "reference": "H-0001",
        "nom": "WAKA",
        "prenom": "Léa",
        "date_naissance": "1995-03-02",
        "genre": "F",
        "niveau_formation": "bac",
        "commune": "Nouméa",
        "lot": "1",
        "prestataire": "ALPHA",
        "conseiller": "conseiller1",
        "date_prescription": "2024-01-10",
        **valeurs,
    }


def session_ete_2024():
    """ALPHA's session S-2024-01, validated in commission on 20/01/2024:

    - line 2, WAKA: 6 months from 29/02/2024 (leap day) -> planned end 28/08/2024, the day
      before 29/08; exit at term that day with a CDI (ED), a finished stage, both
      evaluations, satisfaction 5; the session's bilan was sent on 15/09/2024;
    - line 3, TEIN (binôme with ts1): 7 months from 01/03/2024, early exit on 15/05/2024
      (abandon);
    - line 4, GOA: refused in the same commission for a health frein;
    - line 5, KAI: GAMMA, lot 2 (8 months, no duration typed), entered 30/06/2026, running;
    - line 6, NOEL: adjourned in commission on 20/01/2024;
    - line 7, PIDJOT: prescribed, not examined yet.
    """
    return [
        rangee(
            freins="mobilite|logement",
            motif_prescription="Projet de vente",
            date_commission="2024-01-20",
            decision="validee",
            duree_mois="6",
            session="S-2024-01",
            date_entree="2024-02-29",
            date_sortie="2024-08-28",
            type_sortie="cdi",
            sortie_anticipee="non",
            stage_entreprise="Boulangerie du Port",
            stage_debut="2024-05-01",
            stage_fin="2024-05-31",
            satisfaction="5",
            eval_entree_projet="1",
            eval_entree_freins="2",
            eval_entree_engagement="2",
            eval_entree_savoir_etre="3",
            eval_sortie_projet="3",
            eval_sortie_freins="3",
            eval_sortie_engagement="3",
            eval_sortie_savoir_etre="4",
            bilan_transmis="2024-09-15",
        ),
        rangee(
            reference="H-0002",
            nom="TEIN",
            prenom="Marc",
            date_naissance="14/07/1988",
            genre="M",
            niveau_formation="cap_bep",
            commune="DUMBEA",
            travailleur_social="ts1",
            date_prescription="2024-01-11",
            date_commission="20/01/2024",
            decision="Validée",
            duree_mois="7",
            session="S-2024-01",
            date_entree="2024-03-01",
            date_sortie="2024-05-15",
            type_sortie="abandon",
            sortie_anticipee="oui",
            motif_sortie_anticipee="Déménagement à Koné",
        ),
        rangee(
            reference="H-0003",
            nom="GOA",
            prenom="Paul",
            date_naissance="1990-01-01",
            genre="M",
            commune="paita",
            conseiller="conseiller2",
            date_prescription="2024-01-12",
            date_commission="2024-01-20",
            decision="refusee",
            motif_refus="sante",
        ),
        rangee(
            reference="H-0004",
            nom="KAI",
            prenom="Ana",
            date_naissance="1992-05-05",
            commune="Thio",
            lot="2",
            prestataire="GAMMA",
            date_prescription="2026-06-01",
            date_commission="2026-06-10",
            decision="validee",
            session="G-2026-06",
            date_entree="2026-06-30",
        ),
        rangee(
            reference="H-0005",
            nom="NOEL",
            prenom="Rita",
            date_naissance="1999-12-31",
            date_prescription="2024-01-13",
            date_commission="2024-01-20",
            decision="ajournee",
        ),
        rangee(
            reference="H-0006",
            nom="PIDJOT",
            prenom="Jean",
            date_naissance="2000-02-29",
            date_prescription="2024-03-01",
        ),
    ]


def deux_lignes():
    """The first two rows of the summer session: WAKA, then TEIN (line 3 of the file)."""
    rangees = session_ete_2024()
    return [rangees[0], rangees[1]]


def en_csv(rangees, separateur=";", bom=False, colonnes=COLONNES) -> bytes:
    donnees = tablib.Dataset(headers=list(colonnes))
    for valeurs in rangees:
        donnees.append([valeurs.get(colonne, "") for colonne in colonnes])
    texte = donnees.export("csv", delimiter=separateur)
    return ("\ufeff" if bom else "").encode() + texte.encode("utf-8")


def en_xlsx(rangees) -> bytes:
    """A workbook as a spreadsheet would hold it: ISO dates become date cells, numbers become
    numbers."""

    def cellule(valeur):
        try:
            return date.fromisoformat(valeur)
        except ValueError:
            return int(valeur) if valeur.isdigit() else valeur

    donnees = tablib.Dataset(headers=list(COLONNES))
    for valeurs in rangees:
        donnees.append([cellule(valeurs.get(colonne, "")) for colonne in COLONNES])
    return donnees.export("xlsx")


def importer(tmp_path, contenu: bytes, *options, nom="suivi.csv"):
    """Run the command on the file: (exit status, standard output, error output)."""
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    sortie, erreurs = StringIO(), StringIO()
    try:
        call_command("import_parcours", str(chemin), *options, stdout=sortie, stderr=erreurs)
    except SystemExit as fin:
        return fin.code, sortie.getvalue(), erreurs.getvalue()
    return 0, sortie.getvalue(), erreurs.getvalue()


def photo():
    """How many records of each kind the history touches (nothing written: equal)."""
    return {
        modele.__name__: modele.objects.count()
        for modele in (
            Demandeur, Prescription, SessionCommission, PassageCommission, BonDeCommande,
            LigneCommande, Parcours, Evaluation, Stage, Entreprise, BilanFinParcours,
        )
    }  # fmt: skip
