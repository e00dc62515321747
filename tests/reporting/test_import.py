"""Import of the parcours history (docs/contrats.md §2), writing: what `import_parcours FILE`
creates from each row (people, prescriptions, commissions, sessions, parcours, stages,
evaluations, bilans), in a fixed number of queries, and how the imported records then live in
the application like any other. On the demo data, with a frozen clock (24/11/2026, Nouméa).

Expected values are worked out by hand in the comments, never by the code under test."""

import json
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande
from prestataires.enums import EtatParcours, EtatStage, TypeFin
from prestataires.models import Entreprise, Parcours, Stage
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import Demandeur, PassageCommission, Prescription, SessionCommission
from remunerations import calcul
from reporting.enums import EtatBilan
from reporting.importation import utilisateur_de_reprise
from reporting.models import BilanFinParcours, ImportParcours
from tests.prestataires.conftest import NOUMEA
from tests.reporting.historique import en_csv, importer, photo, rangee, session_ete_2024

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("le_jour_de_l_import")]


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


def test_l_import_dit_ou_il_en_est_a_chaque_etape(demo):
    """A background import shows a progress bar: the import tells its step and rows done."""
    from reporting import importation

    etapes = []
    fichier = importation.Fichier(nom="suivi.csv", contenu=en_csv(_volume(3)))
    rapport = importation.importer(
        fichier,
        par=utilisateur_de_reprise(),
        progression=lambda *avancement: etapes.append(avancement),
    )
    assert rapport.valide
    assert etapes[0] == ("verification", 0, 3)
    assert ("verification", 3, 3) in etapes
    assert etapes[-1] == ("ecriture", 3, 3)
    assert Prescription.objects.filter(reference__startswith="V-").count() == 3


# --- Warnings: what the screens refuse, history records as written (docs/contrats.md §2) ------


def test_une_ligne_que_les_ecrans_refuseraient_est_importee_avec_un_avertissement(demo, tmp_path):
    """docs/contrats.md §2: an exit before the planned end without `sortie_anticipee = oui`
    and an exit at term without a stage are imported as written, each reported as a warning
    `line N: column: message`; warnings do not change the exit status (0). TEIN (line 3):
    7 months from 01/03/2024, planned end 30/09/2024; exit "at term" on 15/05/2024, no stage."""
    rangees = session_ete_2024()[:2]
    rangees[1] |= {"sortie_anticipee": "non", "motif_sortie_anticipee": ""}
    code, sortie, erreurs = importer(tmp_path, en_csv(rangees))
    assert (code, erreurs) == (0, "")
    assert sortie.splitlines() == [
        "line 3: date_sortie: le terme du parcours est le 30/09/2024 : une sortie avant est une "
        "sortie anticipée (sortie_anticipee = oui)",
        "line 3: stage_entreprise: un parcours mené à son terme comprend un stage en entreprise",
        "2 avertissement(s) : ces lignes sont importées telles que le fichier les donne.",
        "Import de suivi.csv : 2 lignes ; créées : 2, mises à jour : 0, inchangées : 0.",
    ]
    tein = Parcours.objects.get(ligne__prescription__reference="H-0002")
    assert (tein.date_sortie, tein.type_fin, tein.fin_prevue) == (
        date(2024, 5, 15), TypeFin.TERME, date(2024, 9, 30),
    )  # fmt: skip
    assert (tein.etat, tein.motif_sortie, tein.stages.count()) == (EtatParcours.TERMINE, "", 0)


def test_les_avertissements_sont_dans_le_rapport_pour_l_apercu(demo):
    """The page's preview reads them on the report, with the row they belong to; a date in
    the future and a person under the minimum age are warnings too; a dry run reports them."""
    from reporting import importation

    rangees = [
        rangee(date_naissance="2010-01-01"),  # 14 years old on 10/01/2024
        rangee(reference="H-0002", nom="TEIN", date_prescription="2026-12-01"),
        # WAKA again (same identity), now in Dumbéa: the last row wins.
        rangee(reference="H-0003", date_naissance="2010-01-01", commune="Dumbéa",
               date_prescription="2024-06-01"),
    ]  # fmt: skip
    fichier = importation.Fichier(nom="suivi.csv", contenu=en_csv(rangees))
    rapport = importation.importer(fichier, par=utilisateur_de_reprise(), essai=True)
    assert rapport.valide and rapport.erreurs == []
    assert [str(a) for a in rapport.avertissements] == [
        "line 2: date_naissance: la personne a 14 ans à la date de prescription : 16 ans au moins",
        "line 3: date_prescription: la date de prescription (01/12/2026) est dans le futur",
        "line 4: date_naissance: la personne a 14 ans à la date de prescription : 16 ans au moins",
        "line 4: commune: la même personne a « noumea » ligne 2 : la dernière ligne l'emporte",
    ]
    assert [len(ligne.avertissements) for ligne in rapport.lignes] == [1, 1, 2]
    assert list(rapport.lignes[1].avertissements) == rapport.avertissements[1:2]
    assert rapport.crees == 3 and not Prescription.objects.filter(importee=True).exists()
    rapport = importation.importer(fichier, par=utilisateur_de_reprise())
    assert rapport.valide and len(rapport.avertissements) == 4
    waka = Prescription.objects.get(reference="H-0003").demandeur
    assert Prescription.objects.get(reference="H-0001").demandeur == waka
    assert waka.commune.code == "dumbea"


# --- Batches: streamed, written in the one transaction ----------------------------------------


def _importer_par_paquets(rangees, taille, etapes=None):
    from reporting import importation

    fichier = importation.Fichier(nom="suivi.csv", contenu=en_csv(rangees))
    return importation.importer(
        fichier,
        par=utilisateur_de_reprise(),
        progression=lambda *avancement: etapes.append(avancement) if etapes is not None else None,
        taille_des_paquets=taille,
    )


def test_une_ligne_invalide_apres_des_paquets_ecrits_annule_tout(demo):
    """docs/contrats.md §2: a file with any invalid row writes nothing, even when the batches
    before it were written (in the one transaction): the fifth row, in the third batch of
    two, refuses the file; every error is still reported."""
    rangees = _volume(6)
    rangees[4]["date_entree"] = "2024-01-19"  # before the commission (20/01/2024)
    rangees[5]["genre"] = "Z"
    avant = photo()
    etapes = []
    rapport = _importer_par_paquets(rangees, 2, etapes)
    assert [str(e) for e in rapport.erreurs] == [
        "line 6: date_entree: la date d'entrée précède la date de commission",
        "line 7: genre: valeur « Z » inconnue : F, M ou X",
    ]
    assert ("ecriture", 4, 6) in etapes  # two batches were written, then rolled back
    assert photo() == avant
    assert not ImportParcours.objects.exists()
    assert not Prescription.objects.filter(reference__startswith="V-").exists()


def test_l_import_avance_paquet_par_paquet(demo):
    """A background import's progress bar moves as batches are checked and written: each
    step's count grows, up to the rows in all."""
    etapes = []
    rapport = _importer_par_paquets(_volume(5), 2, etapes)
    assert rapport.valide and rapport.crees == 5
    verification = [faites for etape, faites, total in etapes if etape == "verification"]
    ecriture = [faites for etape, faites, total in etapes if etape == "ecriture"]
    assert verification == [0, 2, 4, 5]
    assert ecriture == [2, 4, 5]
    assert {total for _, _, total in etapes} == {5}
    assert etapes[-1] == ("ecriture", 5, 5)


def test_une_session_sur_plusieurs_paquets_est_ecrite_comme_en_un_seul(demo):
    """A session whose rows fall in several batches has one order, one commission and one
    bilan, dated as if read at once: the file read row by row (prefix B) gives what it gives
    read at once (prefix A)."""

    def etat(prefixe):
        bon = BonDeCommande.objects.get(numero=f"{prefixe}S-2024-01")
        bilan = BilanFinParcours.objects.get(bon=bon)
        return (
            bon.emis_le, bon.accuse_le, bon.session.date_seance, bon.lignes.count(),
            bon.session.passages.count(), bilan.etat, bilan.transmis_le, bilan.fin_session,
            bilan.echeance,
        )  # fmt: skip

    rangees = session_ete_2024()
    # The session's earliest commission (19/01) and its sent bilan are on its last row read.
    rangees = [*rangees[1:], rangees[0] | {"date_commission": "2024-01-19"}]
    avant = photo()
    assert _importer_par_paquets(_autres_sessions(rangees, "A"), 6).valide
    en_un_paquet = etat("A")
    assert en_un_paquet == (
        datetime(2024, 1, 19, 12, tzinfo=NOUMEA), datetime(2024, 2, 29, 12, tzinfo=NOUMEA),
        date(2024, 1, 19), 2, 2, EtatBilan.TRANSMIS, date(2024, 9, 15), date(2024, 8, 28),
        date(2024, 9, 28),
    )  # fmt: skip
    apres_un = photo()
    assert _importer_par_paquets(_autres_sessions(rangees, "B"), 1).valide
    assert etat("B") == en_un_paquet
    # The same records again, but for the company and the commission without order (the
    # refusal's and the adjournment's, same day, lot and prestataire), which B shares with A.
    partages = {"Entreprise", "SessionCommission"}
    assert {m: apres_un[m] - avant[m] for m in avant if m not in partages} == {
        m: photo()[m] - apres_un[m] for m in avant if m not in partages
    }
    assert (
        SessionCommission.objects.filter(bon_de_commande__numero__endswith="S-2024-01").count() == 2
    )


def _autres_sessions(rangees, prefixe):
    """The same rows for other people (names, references and sessions prefixed)."""
    return [
        r
        | {"reference": prefixe + r["reference"], "nom": prefixe + r["nom"]}
        | ({"session": prefixe + r["session"]} if r.get("session") else {})
        for r in rangees
    ]


def test_un_reimport_inchange_par_paquets_ne_change_rien(demo, tmp_path):
    """Re-importing the same file changes nothing, whatever the batches."""
    rangees = session_ete_2024()
    assert importer(tmp_path, en_csv(rangees))[0] == 0
    avant = photo()
    rapport = _importer_par_paquets(rangees, 2)
    assert (rapport.crees, rapport.mises_a_jour, rapport.inchangees) == (0, 0, 6)
    assert photo() == avant


def test_un_reimport_inchange_lit_autant_de_requetes_pour_10_que_pour_30_lignes(demo, tmp_path):
    """An unchanged re-import reads the imported references in a fixed number of queries,
    whatever their number, and writes nothing but its journal."""
    petit = _volume(10, bilan_transmis="2024-09-02")
    grand = _autres(_volume(30, bilan_transmis="2024-09-02"), "W")
    _requetes_des_imports(tmp_path, {"petit": petit, "grand": grand})
    requetes = []
    for dossier, rangees in (("petit", petit), ("grand", grand)):
        with CaptureQueriesContext(connection) as capture:
            assert "inchangées" in importer(tmp_path / dossier, en_csv(rangees))[1]
        requetes.append(len(capture.captured_queries))
    assert requetes[0] == requetes[1]


def test_une_ligne_inchangee_n_a_pas_d_avertissement_mais_les_regles_entre_lignes_tiennent(
    demo, tmp_path
):
    """An unchanged row restates what the database holds: it writes nothing, so it warns of
    nothing; a reference given twice is still refused, unchanged or not."""
    rangees = session_ete_2024()[:2]
    rangees[1] |= {"sortie_anticipee": "non", "motif_sortie_anticipee": ""}
    assert "2 avertissement(s)" in importer(tmp_path, en_csv(rangees))[1]
    code, sortie, erreurs = importer(tmp_path, en_csv(rangees))
    assert (code, erreurs) == (0, "")
    assert (
        sortie == "Import de suivi.csv : 2 lignes ; créées : 0, mises à jour : 0, inchangées : 2.\n"
    )
    code, _, erreurs = importer(tmp_path, en_csv([*rangees, rangees[1]]))
    assert code == 1
    assert erreurs.splitlines()[0] == "line 4: reference: référence déjà utilisée ligne 3"


def test_un_gros_import_laisse_des_statistiques_a_postgresql(demo, tmp_path, monkeypatch):
    """Tables loaded in bulk are analysed after an import of many rows (PostgreSQL plans on
    statistics; without them, a re-import read whole tables): here the threshold is lowered
    to the file's 2 rows."""
    from reporting.importation import ecriture

    monkeypatch.setattr(ecriture, "SEUIL_DES_STATISTIQUES", 2)
    with CaptureQueriesContext(connection) as capture:
        assert importer(tmp_path, en_csv(session_ete_2024()[:2]))[0] == 0
    analyses = [q["sql"] for q in capture.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyses) == 1 and '"procurement_prescription"' in analyses[0]
    else:
        assert analyses == []
