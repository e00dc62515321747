"""Import of the parcours history (docs/contrats.md §2), re-importing: the same file changes
nothing; a row that restates a block updates it and keeps the records; an empty column erases
nothing; what is history (a recorded decision, a prescription typed in the application, a bilan
followed in the application) is not rewritten by a file. On the demo data, with a frozen clock
(24/11/2026, Nouméa)."""

from datetime import date

import pytest

from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import Evaluation, Parcours
from procurement.enums import Decision, EtatPrescription
from procurement.models import Prescription
from reporting.enums import EtatBilan
from reporting.importation import COLONNES
from reporting.models import BilanFinParcours
from tests.reporting.historique import en_csv, importer, photo, rangee, session_ete_2024
from workflows.flows import BilanFlow
from workflows.taches import tache_en_attente

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("le_jour_de_l_import")]


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
