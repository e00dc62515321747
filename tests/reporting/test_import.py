"""Import of the parcours history (docs/contrats.md §2): `import_parcours FILE [--dry-run]` and the
"Import de l'historique" page, on the demo data, with a frozen clock (24/11/2026, Nouméa).

Expected values are worked out by hand in the comments, never by the code under test."""

import json
from datetime import date, datetime
from io import StringIO

import pytest
import tablib
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours, EtatStage, TypeFin
from prestataires.models import Entreprise, Evaluation, Parcours, Stage
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    Demandeur,
    PassageCommission,
    Prescription,
    SessionCommission,
)
from remunerations import calcul
from reporting.enums import EtatBilan
from reporting.importation import COLONNES, utilisateur_de_reprise
from reporting.models import BilanFinParcours, ImportParcours
from tests.prestataires.conftest import NOUMEA
from workflows.flows import BilanFlow
from workflows.taches import tache_en_attente

pytestmark = pytest.mark.django_db

MAINTENANT = datetime(2026, 11, 24, 10, tzinfo=NOUMEA)


@pytest.fixture(autouse=True)
def horloge():
    """Today is 24/11/2026 in Nouméa: dates after it are in the future."""
    with time_machine.travel(MAINTENANT, tick=False):
        yield


# --- Files ------------------------------------------------------------------------------------


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


# --- Importing --------------------------------------------------------------------------------


def test_import_ecrit_personnes_prescriptions_commissions_sessions_parcours_et_bilans(
    demo, tmp_path
):
    """docs/contrats.md §2: one row per prescription, whatever became of it; the session's rows
    form one order with its bilan de fin de parcours; success exits 0 and prints the counts."""
    code, sortie, erreurs = importer(tmp_path, en_csv(session_ete_2024()))
    assert (code, erreurs) == (0, "")
    assert sortie == (
        "Import de suivi.csv : 6 lignes ; créées : 6, mises à jour : 0, inchangées : 0.\n"
    )

    etats = dict(Prescription.objects.filter(importee=True).values_list("reference", "etat"))
    assert etats == {
        "H-0001": EtatPrescription.COMMANDEE,
        "H-0002": EtatPrescription.COMMANDEE,
        "H-0003": EtatPrescription.REFUSEE,
        "H-0004": EtatPrescription.COMMANDEE,
        "H-0005": EtatPrescription.AJOURNEE,
        "H-0006": EtatPrescription.SOUMISE,
    }
    waka = Prescription.objects.get(reference="H-0001")
    assert waka.motif == "Projet de vente"
    assert set(waka.freins.values_list("code", flat=True)) == {"mobilite", "logement"}
    tein = Prescription.objects.get(reference="H-0002")
    assert tein.travailleur_social.username == "ts1" and tein.difficultes_logement
    assert tein.demandeur.commune.code == "dumbea"
    assert tein.demandeur.date_naissance == date(1988, 7, 14)

    # The session's order: numbered with the session text, outside BC-year-NNNN, issued on
    # the commission's day and acknowledged on the first entry (29/02/2024), at noon.
    bon = BonDeCommande.objects.get(numero="S-2024-01")
    assert bon.importe and bon.etat == EtatBonDeCommande.ACCUSE
    assert (bon.annee, bon.sequence) == (None, None)
    assert bon.emis_le == datetime(2024, 1, 20, 12, tzinfo=NOUMEA)
    assert bon.accuse_le == datetime(2024, 2, 29, 12, tzinfo=NOUMEA)
    assert bon.emis_par.username == bon.accuse_par.username == "reprise"
    assert bon.attribution.prestataire.code == "ALPHA"
    assert sorted(bon.lignes.values_list("prescription__reference", "duree_mois", "etat")) == [
        ("H-0001", 6, EtatLigne.COMMANDEE),
        ("H-0002", 7, EtatLigne.COMMANDEE),
    ]
    assert bon.session.etat == EtatSession.CLOTUREE
    assert bon.session.date_seance == date(2024, 1, 20)
    # The refusal and the adjournment of the same day, lot and prestataire: one commission
    # without order.
    sans_bon = SessionCommission.objects.get(
        date_seance=date(2024, 1, 20), bon_de_commande__isnull=True
    )
    assert sorted(sans_bon.passages.values_list("decision", "motif_refus__code")) == [
        (Decision.AJOURNEE, None),
        (Decision.REFUSEE, "sante"),
    ]
    passage = PassageCommission.objects.get(prescription=waka)
    assert (passage.decision, passage.duree_mois) == (Decision.VALIDEE, 6)
    assert passage.decide_le == datetime(2024, 1, 20, 12, tzinfo=NOUMEA)

    # WAKA: 6 months from the leap day 29/02/2024 run to 28/08/2024 (the day before 29/08).
    parcours = Parcours.objects.get(ligne__prescription=waka)
    assert (parcours.date_entree, parcours.fin_prevue) == (date(2024, 2, 29), date(2024, 8, 28))
    assert (parcours.date_sortie, parcours.type_fin) == (date(2024, 8, 28), TypeFin.TERME)
    assert parcours.type_sortie.code == "cdi" and parcours.classe_sortie == "ED"
    assert (parcours.etat, parcours.satisfaction, parcours.process) == (
        EtatParcours.TERMINE, 5, None,
    )  # fmt: skip
    evaluations = {e.moment: e for e in parcours.evaluations.all()}
    assert (evaluations["entree"].date, evaluations["entree"].projet) == (date(2024, 2, 29), 1)
    assert (evaluations["sortie"].date, evaluations["sortie"].savoir_etre) == (
        date(2024, 8, 28), 4,
    )  # fmt: skip
    stage = parcours.stages.get()
    assert (stage.debut, stage.fin, stage.etat) == (
        date(2024, 5, 1), date(2024, 5, 31), EtatStage.TERMINE,
    )  # fmt: skip
    assert stage.entreprise.raison_sociale == "Boulangerie du Port"
    assert stage.entreprise.ridet == "" and stage.entreprise.prestataire.code == "ALPHA"
    # TEIN: 7 months from 01/03/2024 -> planned end 30/09/2024; early exit on 15/05.
    tein_parcours = Parcours.objects.get(ligne__prescription=tein)
    assert tein_parcours.fin_prevue == date(2024, 9, 30)
    assert (tein_parcours.type_fin, tein_parcours.motif_sortie) == (
        TypeFin.ANTICIPEE, "Déménagement à Koné",
    )  # fmt: skip

    # The session ends with WAKA's exit, 28/08/2024: its bilan is due on 28/09/2024, and was
    # sent on 15/09/2024.
    bilan = BilanFinParcours.objects.get(bon=bon)
    assert (bilan.fin_session, bilan.echeance) == (date(2024, 8, 28), date(2024, 9, 28))
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.TRANSMIS, date(2024, 9, 15))
    assert bilan.process is None

    # KAI, lot 2: 8 months from 30/06/2026 -> 29/02/2027 does not exist: the same day 8
    # months later is 28/02/2027, the parcours runs to the day before, 27/02/2027. Its
    # session's bilan is to write, due one month after: 27/03/2027. Recognised by the CRHD.
    kai = Parcours.objects.get(ligne__prescription__reference="H-0004")
    assert (kai.duree_mois, kai.fin_prevue, kai.etat) == (
        8, date(2027, 2, 27), EtatParcours.EN_COURS,
    )  # fmt: skip
    assert kai.demandeur.reconnaissance_crhd
    assert PassageCommission.objects.get(prescription__reference="H-0004").duree_mois == 8
    bilan_gamma = BilanFinParcours.objects.get(bon__numero="G-2026-06")
    assert (bilan_gamma.etat, bilan_gamma.echeance) == (EtatBilan.A_REDIGER, date(2027, 3, 27))
    assert not Demandeur.objects.get(nom="WAKA").reconnaissance_crhd

    # The author: an inactive account nobody logs in with; the import is journaled.
    reprise = User.objects.get(username="reprise")
    assert not reprise.is_active and not reprise.has_usable_password()
    assert reprise.first_name == "Reprise de l'historique"
    journal = ImportParcours.objects.get()
    assert (journal.fichier, journal.par, journal.essai) == ("suivi.csv", reprise, False)
    assert (journal.lignes, journal.crees, journal.mises_a_jour, journal.inchangees) == (
        6, 6, 0, 0,
    )  # fmt: skip
    assert len(journal.empreinte) == 64


def test_reimporter_le_meme_fichier_ne_change_rien(demo, tmp_path):
    """docs/contrats.md §2: "Re-importing the same file changes nothing: rows are keyed on
    reference"."""
    contenu = en_csv(session_ete_2024())
    importer(tmp_path, contenu)
    avant = photo()
    code, sortie, _ = importer(tmp_path, contenu)
    assert code == 0
    assert "créées : 0, mises à jour : 0, inchangées : 6." in sortie
    assert photo() == avant


def test_reimport_met_a_jour_ce_que_la_ligne_reecrit_en_gardant_les_dossiers(demo, tmp_path):
    """A row that restates a block differently updates the reference: the prescription, the
    person and the parcours keep their primary keys; its imported evaluation is replaced."""
    rangees = session_ete_2024()
    importer(tmp_path, en_csv(rangees))
    kai = Parcours.objects.get(ligne__prescription__reference="H-0004")
    # KAI leaves early on 20/11/2026 for a CDD (SD), with her entry evaluation.
    rangees[3] |= {
        "date_sortie": "2026-11-20",
        "type_sortie": "cdd",
        "sortie_anticipee": "oui",
        "motif_sortie_anticipee": "Embauchée",
        "eval_entree_projet": "2",
        "eval_entree_freins": "2",
        "eval_entree_engagement": "3",
        "eval_entree_savoir_etre": "3",
    }
    code, sortie, _ = importer(tmp_path, en_csv(rangees))
    assert code == 0
    assert "créées : 0, mises à jour : 1, inchangées : 5." in sortie
    kai_apres = Parcours.objects.get(ligne__prescription__reference="H-0004")
    assert kai_apres.pk == kai.pk
    assert (kai_apres.date_sortie, kai_apres.type_fin, kai_apres.etat) == (
        date(2026, 11, 20), TypeFin.ANTICIPEE, EtatParcours.TERMINE,
    )  # fmt: skip
    assert kai_apres.evaluations.get().date == date(2026, 6, 30)
    # The session ended with that exit: its bilan is due one month later.
    bilan = BilanFinParcours.objects.get(bon__numero="G-2026-06")
    assert (bilan.fin_session, bilan.echeance) == (date(2026, 11, 20), date(2026, 12, 20))
    # A new entry evaluation replaces the imported one.
    rangees[3]["eval_entree_projet"] = "1"
    assert "mises à jour : 1" in importer(tmp_path, en_csv(rangees))[1]
    assert Evaluation.objects.get(parcours=kai).projet == 1
    # An entry corrected to 01/07/2026: 8 months -> planned end 28/02/2027, and the imported
    # entry evaluation moves with it.
    rangees[3]["date_entree"] = "2026-07-01"
    assert "mises à jour : 1" in importer(tmp_path, en_csv(rangees))[1]
    kai.refresh_from_db()
    assert (kai.date_entree, kai.fin_prevue) == (date(2026, 7, 1), date(2027, 2, 28))
    assert Evaluation.objects.get(parcours=kai).date == date(2026, 7, 1)


def test_une_colonne_laissee_vide_n_efface_pas_ce_que_la_base_sait(demo, tmp_path):
    """Decision (README): a block a row leaves empty states nothing; the same file without
    its evaluation and stage columns re-imports unchanged and erases nothing."""
    rangees = session_ete_2024()
    importer(tmp_path, en_csv(rangees))
    avant = photo()
    sans = [c for c in COLONNES if not c.startswith(("eval_", "stage_", "bilan"))]
    code, sortie, _ = importer(tmp_path, en_csv(rangees, colonnes=sans))
    assert code == 0 and "inchangées : 6." in sortie
    assert photo() == avant


def test_une_decision_apres_un_ajournement_ajoute_un_passage(demo, tmp_path):
    """An adjourned person comes back to a later commission: the history gains a passage
    (the adjournment stays), and a validated person may join a session later."""
    rangees = session_ete_2024()
    importer(tmp_path, en_csv(rangees))
    rangees[4] |= {
        "date_commission": "2024-03-05",
        "decision": "validee",
        "duree_mois": "8",
        "session": "S-2024-01",
        "date_entree": "2024-03-11",
    }
    code, sortie, erreurs = importer(tmp_path, en_csv(rangees))
    assert (code, erreurs) == (0, "")
    assert "mises à jour : 1" in sortie
    noel = Prescription.objects.get(reference="H-0005")
    assert noel.etat == EtatPrescription.COMMANDEE
    assert list(noel.passages.order_by("decide_le").values_list("decision", flat=True)) == [
        Decision.AJOURNEE,
        Decision.VALIDEE,
    ]
    # 8 months from 11/03/2024 -> 10/11/2024: the session now ends then, its bilan is due
    # on 10/12/2024 (still sent on 15/09/2024).
    assert Parcours.objects.get(ligne__prescription=noel).fin_prevue == date(2024, 11, 10)
    bilan = BilanFinParcours.objects.get(bon__numero="S-2024-01")
    assert (bilan.fin_session, bilan.echeance) == (date(2024, 11, 10), date(2024, 12, 10))
    assert "inchangées : 6." in importer(tmp_path, en_csv(rangees))[1]


# --- Formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu, nom",
    [
        (lambda: en_csv(session_ete_2024(), separateur=";"), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=","), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=";", bom=True), "suivi.csv"),
        (lambda: en_csv(session_ete_2024(), separateur=",", bom=True), "suivi.csv"),
        (lambda: en_xlsx(session_ete_2024()), "suivi.xlsx"),
    ],
    ids=["point-virgule", "virgule", "bom-point-virgule", "bom-virgule", "xlsx"],
)
def test_csv_point_virgule_ou_virgule_avec_ou_sans_bom_et_xlsx(demo, tmp_path, contenu, nom):
    """docs/contrats.md §2: `.csv` (UTF-8, with or without BOM; `;` or `,`, detected) and `.xlsx`
    (date cells or text dates) give the same import."""
    code, sortie, erreurs = importer(tmp_path, contenu(), nom=nom)
    assert (code, erreurs) == (0, "")
    assert "créées : 6" in sortie
    parcours = Parcours.objects.get(ligne__prescription__reference="H-0001")
    assert (parcours.date_entree, parcours.fin_prevue) == (date(2024, 2, 29), date(2024, 8, 28))
    assert Demandeur.objects.get(nom="WAKA").prenom == "Léa"


def test_un_fichier_ni_csv_ni_xlsx_est_refuse_en_francais(demo, tmp_path):
    with pytest.raises(CommandError, match="un fichier .csv ou .xlsx est attendu"):
        importer(tmp_path, b"reference\n", nom="suivi.txt")
    with pytest.raises(CommandError, match="Le classeur XLSX ne peut pas être lu"):
        importer(tmp_path, b"pas un classeur", nom="suivi.xlsx")
    with pytest.raises(CommandError, match="n'est pas en UTF-8"):
        importer(tmp_path, "reference;nom\nH-1;Bérénice\n".encode("latin-1"))


def test_dry_run_valide_compte_et_n_ecrit_rien(demo, tmp_path):
    """docs/contrats.md §2: `--dry-run` validates, prints the counts it would create and update,
    and writes nothing (the dry run is journaled as such)."""
    avant = photo()
    code, sortie, _ = importer(tmp_path, en_csv(session_ete_2024()), "--dry-run")
    assert code == 0
    assert sortie == (
        "Essai à blanc de suivi.csv, rien n'est écrit : 6 lignes ; à créer : 6, "
        "à mettre à jour : 0, inchangées : 0.\n"
    )
    assert photo() == avant
    assert list(ImportParcours.objects.values_list("essai", "crees")) == [(True, 6)]


# --- Refusals: every error, `line N: column: message`, nothing written ------------------------


def _deux_lignes():
    rangees = session_ete_2024()
    return [rangees[0], rangees[1]]


REFUS = {
    # name: (change to the second row, line 3, the expected error lines)
    "date_invalide": (
        {"date_entree": "31/02/2024"},
        ["line 3: date_entree: date invalide « 31/02/2024 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA"],
    ),
    "entree_avant_commission": (
        {"date_entree": "2024-01-19"},
        ["line 3: date_entree: la date d'entrée précède la date de commission"],
    ),
    "commission_avant_prescription": (
        {"date_commission": "2024-01-05", "date_entree": "2024-01-19"},
        ["line 3: date_commission: la date de commission précède la date de prescription"],
    ),
    "sortie_avant_entree": (
        {"date_sortie": "2024-02-15"},
        ["line 3: date_sortie: la date de sortie précède la date d'entrée"],
    ),
    "frein_inconnu": (
        {"freins": "mobilite|velo"},
        ["line 3: freins: frein inconnu « velo »"],
    ),
    "validee_sans_duree_au_lot_1": (
        {"duree_mois": ""},
        ["line 3: duree_mois: obligatoire pour une décision validée au lot 1 (1 à 24 mois)"],
    ),
    "duree_hors_bornes": (
        {"duree_mois": "25"},
        ["line 3: duree_mois: 25 mois : de 1 à 24 mois au lot 1"],
    ),
    "type_sortie_sans_date_de_sortie": (
        {"date_sortie": "", "sortie_anticipee": "", "motif_sortie_anticipee": ""},
        ["line 3: type_sortie: seulement avec une date de sortie"],
    ),
    "date_de_sortie_sans_type": (
        {"type_sortie": ""},
        ["line 3: type_sortie: obligatoire avec une date de sortie"],
    ),
    "sortie_anticipee_sans_motif": (
        {"motif_sortie_anticipee": ""},
        ["line 3: motif_sortie_anticipee: obligatoire pour une sortie anticipée"],
    ),
    "sortie_au_terme_avant_la_fin_prevue": (
        {
            "sortie_anticipee": "non",
            "motif_sortie_anticipee": "",
            "stage_entreprise": "Garage",
            "stage_debut": "2024-04-01",
            "stage_fin": "2024-04-30",
        },
        [
            "line 3: date_sortie: le terme du parcours est le 30/09/2024 : une sortie avant est "
            "une sortie anticipée (sortie_anticipee = oui)"
        ],
    ),  # fmt: skip
    "sortie_au_terme_sans_stage": (
        {"sortie_anticipee": "", "motif_sortie_anticipee": "", "date_sortie": "2024-09-30"},
        ["line 3: stage_entreprise: un parcours mené à son terme comprend un stage en entreprise"],
    ),  # fmt: skip
    "stage_hors_du_parcours": (
        {"stage_entreprise": "Garage", "stage_debut": "2024-02-20", "stage_fin": "2024-05-20"},
        [
            "line 3: stage_debut: le stage commence avant l'entrée en parcours (01/03/2024)",
            "line 3: stage_fin: le stage finit après la sortie du parcours (15/05/2024)",
        ],
    ),  # fmt: skip
    "stage_incomplet": (
        {"stage_entreprise": "Garage", "stage_debut": "2024-03-20"},
        [
            "line 3: stage_fin: à remplir : un stage a son entreprise, son premier et son dernier "
            "jour"
        ],
    ),  # fmt: skip
    "evaluation_incomplete_et_hors_echelle": (
        {"eval_sortie_projet": "5", "eval_sortie_freins": "2"},
        [
            "line 3: eval_sortie_projet: 5 : entre 1 et 4",
            "line 3: eval_sortie_engagement: à remplir : les quatre axes d'une évaluation vont "
            "ensemble",
            "line 3: eval_sortie_savoir_etre: à remplir : les quatre axes d'une évaluation vont "
            "ensemble",
        ],
    ),  # fmt: skip
    "satisfaction_hors_echelle": (
        {"satisfaction": "6"},
        ["line 3: satisfaction: 6 : entre 1 et 5"],
    ),
    "refusee_sans_motif": (
        {
            "decision": "refusee",
            "duree_mois": "",
            "session": "",
            "date_entree": "",
            "date_sortie": "",
            "type_sortie": "",
            "sortie_anticipee": "",
            "motif_sortie_anticipee": "",
        },
        ["line 3: motif_refus: obligatoire pour une décision refusée (un code de frein)"],
    ),  # fmt: skip
    "entree_sans_validation": (
        {"decision": "ajournee", "duree_mois": "", "session": ""},
        [
            "line 3: session: obligatoire avec une date d'entrée",
            "line 3: date_entree: seulement pour une décision validée",
        ],
    ),  # fmt: skip
    "decision_sans_date_de_commission": (
        {"date_commission": ""},
        ["line 3: date_commission: obligatoire avec une décision"],
    ),
    "duree_au_lot_2": (
        {"lot": "2", "prestataire": "GAMMA", "session": "G-1"},
        ["line 3: duree_mois: à laisser vide au lot 2 : la durée y est toujours de 8 mois"],
    ),
    "prestataire_sans_ce_lot": (
        {"lot": "2", "duree_mois": ""},
        [
            "line 3: lot: la session S-2024-01 est au lot 1 (ligne 2) : une session a un seul lot",
            "line 3: prestataire: ALPHA ne détient pas le lot 2",
        ],
    ),  # fmt: skip
    "session_de_deux_prestataires": (
        {"prestataire": "BETA"},
        [
            "line 3: prestataire: la session S-2024-01 est celle de ALPHA (ligne 2) : une session "
            "a un seul prestataire"
        ],
    ),  # fmt: skip
    "session_numero_d_un_bon_de_l_application": (
        {"session": "BC-2026-0001"},
        [
            "line 3: session: « BC-2026-0001 » est le numéro d'un bon de commande émis dans "
            "l'application"
        ],
    ),  # fmt: skip
    "reference_en_double": (
        {"reference": "H-0001"},
        ["line 3: reference: référence déjà utilisée ligne 2"],
    ),
    "conseiller_qui_n_en_est_pas_un": (
        {"conseiller": "alpha1"},
        ["line 3: conseiller: conseiller à l'emploi inconnu « alpha1 »"],
    ),
    "commune_et_genre_inconnus": (
        {"commune": "Koné", "genre": "Z"},
        [
            "line 3: genre: valeur « Z » inconnue : F, M ou X",
            "line 3: commune: commune inconnue « Koné »",
        ],
    ),  # fmt: skip
    "travailleur_social_qui_n_en_est_pas_un": (
        {"travailleur_social": "conseiller2"},
        ["line 3: travailleur_social: travailleur social inconnu « conseiller2 »"],
    ),
    "motif_de_refus_sans_refus": (
        {"motif_refus": "sante"},
        ["line 3: motif_refus: seulement pour une décision refusée"],
    ),
    "motif_de_refus_qui_n_est_pas_un_frein": (
        {
            "decision": "refusee",
            "motif_refus": "humeur",
            "duree_mois": "",
            "session": "",
            "date_entree": "",
            "date_sortie": "",
            "type_sortie": "",
            "sortie_anticipee": "",
            "motif_sortie_anticipee": "",
        },
        ["line 3: motif_refus: motif de refus (code de frein) inconnu « humeur »"],
    ),  # fmt: skip
    "meme_personne_deux_communes": (
        {
            "nom": "Waka",
            "prenom": "LEA",
            "date_naissance": "02/03/1995",
            "genre": "F",
            "niveau_formation": "bac",
            "commune": "Dumbéa",
        },
        ["line 3: commune: la même personne a « noumea » ligne 2 : une seule valeur par personne"],
    ),  # fmt: skip
    "bilan_transmis_sans_session": (
        {
            "session": "",
            "date_entree": "",
            "date_sortie": "",
            "type_sortie": "",
            "sortie_anticipee": "",
            "motif_sortie_anticipee": "",
            "bilan_transmis": "2024-09-15",
        },
        ["line 3: bilan_transmis: seulement sur une ligne qui a une session"],
    ),  # fmt: skip
    "deux_dates_de_bilan_pour_une_session": (
        {"bilan_transmis": "2024-09-16"},
        [
            "line 3: bilan_transmis: la session S-2024-01 a un autre bilan_transmis ligne 2 "
            "(15/09/2024)"
        ],
    ),  # fmt: skip
    "lot_inconnu": (
        {"lot": "3"},
        ["line 3: lot: lot inconnu « 3 » : 1 ou 2"],
    ),
    "obligatoire_vide": (
        {"nom": ""},
        ["line 3: nom: obligatoire"],
    ),
    "date_dans_le_futur": (
        {"date_sortie": "2026-11-25"},
        ["line 3: date_sortie: la date de sortie (25/11/2026) est dans le futur"],
    ),
}


@pytest.mark.parametrize("changement, attendu", list(REFUS.values()), ids=list(REFUS))
def test_une_ligne_invalide_est_refusee_avec_sa_ligne_et_sa_colonne_et_rien_n_est_ecrit(
    demo, tmp_path, changement, attendu
):
    """docs/contrats.md §2: "A file with any invalid row writes nothing; the command prints every
    error as `line N: column: message` and exits with status 1"; the header is line 1."""
    rangees = _deux_lignes()
    rangees[1] = rangees[1] | changement
    avant = photo()
    code, sortie, erreurs = importer(tmp_path, en_csv(rangees))
    assert code == 1 and sortie == ""
    assert erreurs.splitlines() == [
        *attendu,
        f"{len(attendu)} erreur(s) dans suivi.csv : rien n'a été importé.",
    ]
    assert photo() == avant
    assert not ImportParcours.objects.exists()


def test_colonne_inconnue_et_colonne_obligatoire_absente_sur_la_ligne_1(demo, tmp_path):
    """docs/contrats.md §2: "Unknown columns are an error (a typo must not silently drop data)"."""
    colonnes = [c for c in COLONNES if c != "conseiller"] + ["satisfation"]
    code, _, erreurs = importer(tmp_path, en_csv([rangee()], colonnes=colonnes))
    assert code == 1
    assert erreurs.splitlines()[:2] == [
        "line 1: satisfation: colonne inconnue",
        "line 1: conseiller: colonne obligatoire absente du fichier",
    ]


def test_toutes_les_erreurs_de_toutes_les_lignes_sont_listees(demo, tmp_path):
    """Every error is printed, line by line (a blank line of the CSV still counts)."""
    rangees = [rangee(date_naissance="1995-13-01"), rangee(reference="H-2", freins="velo")]
    contenu = en_csv(rangees).replace(b"\r\nH-2", b"\r\n\r\nH-2")
    code, _, erreurs = importer(tmp_path, contenu)
    assert code == 1
    assert erreurs.splitlines()[:2] == [
        "line 2: date_naissance: date invalide « 1995-13-01 » : attendu AAAA-MM-JJ ou JJ/MM/AAAA",
        "line 4: freins: frein inconnu « velo »",
    ]


def test_une_reference_saisie_dans_l_application_ne_s_importe_pas(demo, tmp_path):
    """Decision (README): an import restates only imported prescriptions."""
    reference = Prescription.objects.filter(importee=False).first().reference
    code, _, erreurs = importer(tmp_path, en_csv([rangee(reference=reference)]))
    assert code == 1
    assert erreurs.splitlines()[0] == (
        f"line 2: reference: « {reference} » est la référence d'une prescription saisie dans "
        "l'application : seules les prescriptions importées se réimportent"
    )


def test_une_decision_enregistree_ne_change_pas_par_un_nouvel_import(demo, tmp_path):
    """Decision (README): a recorded decision, the lot and the session of a person ordered are
    history; a file that changes them is refused."""
    rangees = session_ete_2024()
    importer(tmp_path, en_csv(rangees))
    rangees[2] |= {"decision": "ajournee", "motif_refus": ""}
    code, _, erreurs = importer(tmp_path, en_csv(rangees))
    assert code == 1
    assert erreurs.splitlines()[0] == (
        "line 4: decision: la référence H-0003 a été importée avec la décision « refusée » du "
        "20/01/2024 (durée, motif compris) : une décision enregistrée ne change pas par un "
        "nouvel import"
    )


def test_un_bilan_transmis_apres_coup_acheve_la_redaction_et_la_del_l_examine(demo, tmp_path):
    """docs/contrats.md §2: `bilan_transmis` records the session's bilan as sent on that date. An
    imported session's bilan still owed is followed by its process like any other; a re-import
    that gives it as sent does its writing step on that date (by the import's author, whatever
    their role), and the DEL examines it in the application. Once sent, it is sent from its
    page only."""
    rangees = session_ete_2024()
    rangees[0]["bilan_transmis"] = ""
    importer(tmp_path, en_csv(rangees))
    bilan = BilanFinParcours.objects.get(bon__numero="S-2024-01")
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.A_REDIGER, None)
    assert tache_en_attente(bilan.process, BilanFlow.rediger).status == "NEW"

    rangees[1]["bilan_transmis"] = "2024-10-01"
    code, sortie, _ = importer(tmp_path, en_csv(rangees))
    assert code == 0 and "mises à jour : 1" in sortie
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.TRANSMIS, date(2024, 10, 1))
    assert bilan.transmis_par.username == "reprise"
    redaction = bilan.process.task_set.get(flow_task=BilanFlow.rediger)
    assert (redaction.status, redaction.owner.username) == ("DONE", "reprise")
    assert tache_en_attente(bilan.process, BilanFlow.examiner).status == "NEW"
    assert importer(tmp_path, en_csv(rangees))[1].endswith("inchangées : 6.\n")

    rangees[1]["bilan_transmis"] = "2024-10-02"
    code, _, erreurs = importer(tmp_path, en_csv(rangees))
    assert code == 1
    assert erreurs.splitlines()[0] == (
        "line 3: bilan_transmis: le bilan de la session S-2024-01 est suivi dans l'application "
        "(état « Transmis à la DEL ») : il se transmet depuis sa page"
    )


def test_un_stage_qui_n_est_pas_fini_est_en_cours(demo, tmp_path):
    """A stage is finished when its last day is past (decision, README), in progress
    otherwise."""
    rangees = session_ete_2024()
    rangees[3] |= {
        "stage_entreprise": "Hôtel du Lagon",
        "stage_debut": "2026-11-02",
        "stage_fin": "2026-12-11",
    }
    assert importer(tmp_path, en_csv(rangees))[0] == 0
    stage = Stage.objects.get(entreprise__raison_sociale="Hôtel du Lagon")
    assert (stage.etat, stage.termine_le) == (EtatStage.EN_COURS, None)
    assert stage.parcours.demandeur.nom == "KAI"
    # The same company written otherwise is the same company of GAMMA's register.
    rangees[3]["stage_entreprise"] = "HOTEL DU LAGON"
    importer(tmp_path, en_csv(rangees))
    assert Entreprise.objects.filter(raison_sociale__icontains="lagon").count() == 1


# --- Performance ------------------------------------------------------------------------------


def _volume(nombre: int, *, par_session: int = 10, bilan_transmis: str = ""):
    """`nombre` people in sessions of `par_session` at ALPHA, all entered, half of them
    exited."""
    rangees = []
    for rang in range(nombre):
        valeurs = rangee(
            reference=f"V-{rang:05d}",
            nom=f"VOLUME{rang:05d}",
            freins="mobilite",
            date_commission="2024-01-20",
            decision="validee",
            duree_mois="6",
            session=f"V-{rang // par_session:03d}",
            bilan_transmis=bilan_transmis,
            date_entree="2024-02-01",
            eval_entree_projet="2",
            eval_entree_freins="2",
            eval_entree_engagement="2",
            eval_entree_savoir_etre="2",
        )
        if rang % 2:
            valeurs |= {
                "date_sortie": "2024-03-01",
                "type_sortie": "cdd",
                "sortie_anticipee": "oui",
                "motif_sortie_anticipee": "Embauche",
            }
        rangees.append(valeurs)
    return rangees


def _requetes_des_imports(tmp_path, fichiers):
    """The queries of each import of `fichiers` (name -> rows), one after the other."""
    utilisateur_de_reprise()  # created by the first import otherwise: not a row's query
    requetes = []
    for dossier, rangees in fichiers.items():
        (tmp_path / dossier).mkdir()
        with CaptureQueriesContext(connection) as capture:
            code, _, erreurs = importer(tmp_path / dossier, en_csv(rangees))
        assert (code, erreurs) == (0, "")
        requetes.append(len(capture.captured_queries))
    return requetes


def _autres(rangees, prefixe):
    return [
        r | {"reference": prefixe + r["reference"], "nom": prefixe + r["nom"],
             "session": prefixe + r["session"]}
        for r in rangees
    ]  # fmt: skip


def test_le_nombre_de_requetes_ne_croit_pas_avec_le_nombre_de_lignes(demo, tmp_path):
    """10 000 rows must import in a few seconds: référentiels, users and existing references
    are read once, records are written in bulk; 10 rows (one session) or 30 rows (three), the
    same queries. (SQLite takes at most 999 parameters a query: beyond some 40 rows, Django
    splits a bulk insert in batches; PostgreSQL does not.)"""
    petit = _volume(10, bilan_transmis="2024-09-02")
    grand = _autres(_volume(30, bilan_transmis="2024-09-02"), "W")
    requetes = _requetes_des_imports(tmp_path, {"petit": petit, "grand": grand})
    assert requetes[0] == requetes[1]
    with CaptureQueriesContext(connection) as capture:
        assert "inchangées : 30." in importer(tmp_path / "grand", en_csv(grand))[1]
    assert len(capture.captured_queries) < 30


def test_une_session_dont_le_bilan_est_du_demarre_son_processus_quel_que_soit_son_effectif(
    demo, tmp_path
):
    """A session whose bilan is still owed starts its process: a fixed number of queries per
    session, whether it has 10 people or 30."""
    petit = _volume(10, par_session=10)
    grand = _autres(_volume(30, par_session=30), "W")
    requetes = _requetes_des_imports(tmp_path, {"petit": petit, "grand": grand})
    assert requetes[0] == requetes[1]
    suivis = BilanFinParcours.objects.filter(
        bon__importe=True, process__isnull=False, etat=EtatBilan.A_REDIGER
    )
    assert sorted(suivis.values_list("bon__numero", flat=True)) == ["V-000", "WV-000"]


# --- The imported records live in the application like any other -----------------------------


def test_un_parcours_importe_paraît_dans_les_listes_et_les_pages_de_parcours(
    demo, tmp_path, client
):
    importer(tmp_path, en_csv(session_ete_2024()))
    kai = Parcours.objects.get(ligne__prescription__reference="H-0004")
    waka = Parcours.objects.get(ligne__prescription__reference="H-0001")
    client.force_login(demo["gestionnaire1"])
    assert "KAI" in client.get(reverse("parcours:index")).content.decode()
    page = client.get(reverse("parcours:detail", args=[waka.pk]))
    assert page.status_code == 200
    assert "Boulangerie du Port" in page.content.decode()
    client.force_login(demo["gamma1"])
    assert "KAI" in client.get(reverse("parcours:index")).content.decode()
    assert client.get(reverse("parcours:detail", args=[kai.pk])).status_code == 200


def test_un_prestataire_ne_voit_pas_les_parcours_importes_d_un_autre(demo, tmp_path, client):
    """docs/domaine.md: a prestataire's users see only their own organisation's parcours: ALPHA's
    direction does not see BETA's imported session, nor BETA ALPHA's."""
    rangees = session_ete_2024()[:2]
    rangees.append(
        rangee(reference="B-0001", nom="BETAONLY", prenom="Zoé", prestataire="BETA",
               date_commission="2024-01-21", decision="validee", duree_mois="5",
               session="B-2024-01", date_entree="2024-02-01")
    )  # fmt: skip
    assert importer(tmp_path, en_csv(rangees))[0] == 0
    de_beta = Parcours.objects.get(ligne__prescription__reference="B-0001")
    d_alpha = Parcours.objects.get(ligne__prescription__reference="H-0001")
    client.force_login(demo["alpha1"])
    liste = client.get(reverse("parcours:index")).content.decode()
    assert "WAKA" in liste and "BETAONLY" not in liste
    assert client.get(reverse("parcours:detail", args=[de_beta.pk])).status_code == 404
    assert client.get(reverse("commandes:detail", args=[de_beta.ligne.bon_id])).status_code == 404
    client.force_login(demo["beta1"])
    liste = client.get(reverse("parcours:index")).content.decode()
    assert "BETAONLY" in liste and "WAKA" not in liste
    assert client.get(reverse("parcours:detail", args=[d_alpha.pk])).status_code == 404
    assert (
        BilanFinParcours.objects.visibles_par(demo["beta1"]).filter(bon__numero="S-2024-01").count()
        == 0
    )


def test_un_parcours_importe_en_cours_compte_dans_les_remunerations(demo, tmp_path):
    """docs/contrats.md §4: an imported running parcours is paid like any other. Entered on
    01/10/2026 for 6 months (to 31/03/2027): in November 2026, 30 days of 30, at the SMG of
    167 602 F: 167 602 × 30 ÷ 30 ÷ 2 = 83 801 F."""
    rangees = [
        rangee(reference="R-0001", nom="SALAIRE", date_prescription="2026-09-01",
               date_commission="2026-09-15", decision="validee", duree_mois="6",
               session="R-2026-09", date_entree="2026-10-01")
    ]  # fmt: skip
    assert importer(tmp_path, en_csv(rangees))[0] == 0
    releve = calcul.releves([(Parcours.objects.get(demandeur__nom="SALAIRE").prestataire,
                              date(2026, 11, 1))])[0]  # fmt: skip
    ligne = next(lg for lg in releve.lignes_du_mois if lg.reference == "R-0001")
    assert (ligne.jours, ligne.jours_du_mois, ligne.montant_du) == (30, 30, 83801)
    sortie = StringIO()
    call_command("etats_remuneration", "--mois", "2026-11", "--prestataire", "ALPHA", stdout=sortie)
    lignes = {ligne["reference"]: ligne for ligne in json.loads(sortie.getvalue())}
    assert lignes["R-0001"]["montant_du"] == 83801


# --- The web page: preview, then confirm --------------------------------------------------------


def _deposer(client, contenu, nom="suivi.csv"):
    return client.post(reverse("imports:index"), {"fichier": SimpleUploadedFile(nom, contenu)})


def test_la_page_montre_l_apercu_puis_importe_le_meme_fichier(demo, client):
    """docs/contrats.md §2: the same file in the web interface, with django-import-export's
    preview: nothing is written before the confirmation."""
    client.force_login(demo["gestionnaire1"])
    assert client.get(reverse("imports:index")).status_code == 200
    avant = photo()
    apercu = _deposer(client, en_xlsx(session_ete_2024()), nom="suivi.xlsx")
    assert apercu.status_code == 200
    page = apercu.content.decode()
    assert "6 à créer" in page and "Nouvelle" in page and "H-0004" in page
    assert "Importer ces 6 lignes" in page
    assert photo() == avant
    empreinte = apercu.context["confirmation"]["empreinte"].value()

    reponse = client.post(reverse("imports:confirmer"), {"empreinte": empreinte}, follow=True)
    assert reponse.redirect_chain == [(reverse("imports:index"), 302)]
    assert [str(m) for m in reponse.context["messages"]] == [
        "Import de suivi.xlsx : 6 lignes ; créées : 6, mises à jour : 0, inchangées : 0."
    ]
    assert Parcours.objects.get(ligne__prescription__reference="H-0001").fin_prevue == date(
        2024, 8, 28
    )
    assert BonDeCommande.objects.get(numero="S-2024-01").emis_par == demo["gestionnaire1"]
    assert list(ImportParcours.objects.order_by("le", "pk").values_list("essai", "par")) == [
        (True, demo["gestionnaire1"].pk),
        (False, demo["gestionnaire1"].pk),
    ]
    # The file no longer waits: a second confirmation imports nothing.
    reponse = client.post(reverse("imports:confirmer"), {"empreinte": empreinte})
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        "Ce fichier n'attend plus d'import : déposez-le de nouveau pour le relire."
    ]
    assert ImportParcours.objects.filter(essai=False).count() == 1
    # Previewed again: every row is unchanged.
    assert "6 inchangées" in _deposer(client, en_csv(session_ete_2024())).content.decode()


def test_la_page_liste_toutes_les_erreurs_et_n_offre_pas_d_importer(demo, client):
    client.force_login(demo["gestionnaire1"])
    rangees = _deux_lignes()
    rangees[1] |= {"date_entree": "2024-01-19", "freins": "velo"}
    reponse = _deposer(client, en_csv(rangees))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Ligne 3, colonne <code>freins</code> : frein inconnu « velo »" in page
    assert (
        "Ligne 3, colonne <code>date_entree</code> : la date d&#x27;entrée précède la date de "
        "commission" in page
    )
    assert "Importer ces" not in page and reponse.context["confirmation"] is None
    assert not Prescription.objects.filter(importee=True).exists()


def test_la_confirmation_d_un_autre_fichier_est_refusee(demo, client):
    client.force_login(demo["gestionnaire1"])
    _deposer(client, en_csv(session_ete_2024()))
    reponse = client.post(reverse("imports:confirmer"), {"empreinte": "0" * 64})
    assert reponse.status_code == 302
    assert not Prescription.objects.filter(importee=True).exists()


def test_un_fichier_illisible_est_signale_sur_son_champ(demo, client):
    client.force_login(demo["gestionnaire1"])
    reponse = _deposer(client, b"x", nom="suivi.pdf")
    assert reponse.status_code == 400
    assert "Un fichier .csv ou .xlsx est attendu." in reponse.content.decode()
    reponse = _deposer(client, "reference;nom\nH;É\n".encode("latin-1"))
    assert reponse.status_code == 400
    assert "enregistrez-le au format « CSV UTF-8 »" in reponse.content.decode()


@pytest.mark.parametrize("username", ["alpha1", "alpha2", "beta1", "gamma1", "conseiller1"])
def test_seuls_les_gestionnaires_et_l_administrateur_importent(demo, client, username):
    """Prestataire users (and DEL staff without reporting.importer_parcours) cannot open the
    import page nor post a file or a confirmation (403)."""
    client.force_login(demo[username])
    assert client.get(reverse("imports:index")).status_code == 403
    assert _deposer(client, en_csv(session_ete_2024())).status_code == 403
    assert client.post(reverse("imports:confirmer"), {"empreinte": "0" * 64}).status_code == 403
    assert not Prescription.objects.filter(importee=True).exists()
