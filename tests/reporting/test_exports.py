"""Exports for the DEL's own analyses: demandeurs, prescriptions, parcours and sorties in CSV
(UTF-8 with BOM, `;`) and XLSX, with docs/contrats.md column names and codes; each limited to what
the user may see, without sensitive data for a prestataire's users, logged in the journal of
nominative exports, and read in a constant number of queries."""

import codecs
from datetime import date, datetime, timedelta
from io import BytesIO
from itertools import cycle

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import Parcours
from procurement import services as procurement_services
from procurement.enums import Decision
from procurement.models import (
    Frein,
    Lot,
    PassageCommission,
    Prescription,
    Prestataire,
    SessionCommission,
    TypeSortie,
)
from reporting.models import JournalExport
from tests.factories import lignes_commandees, parcours_de_la_ligne
from tests.prestataires.conftest import NOUMEA, a
from tests.reporting.conftest import parcours_de, sortie_anticipee, stage_termine

COLONNES = {
    "demandeurs": [
        "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune", "telephone",
        "email", "adresse", "situation_logement", "reconnaissance_crhd", "enregistre_le",
        "references",
    ],
    "prescriptions": [
        "reference", "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune",
        "lot", "prestataire", "conseiller", "travailleur_social", "date_prescription",
        "motif_prescription", "freins", "etat", "date_commission", "decision", "motif_refus",
        "duree_mois",
    ],
    "parcours": [
        "reference", "nom", "prenom", "session", "prestataire", "lot", "date_premier_contact",
        "date_entree", "fin_prevue", "date_sortie", "etat", "duree_mois", "charge",
    ],
    "sorties": [
        "reference", "nom", "prenom", "session", "prestataire", "lot", "date_entree",
        "date_sortie", "type_fin", "sortie_anticipee", "type_sortie", "classe_sortie",
        "motif_sortie_anticipee",
    ],
}  # fmt: skip
# Least knowledge: what a prestataire's file never carries.
RESERVEES_A_LA_DEL = {
    "demandeurs": {"adresse", "situation_logement", "reconnaissance_crhd"},
    "prescriptions": {"motif_prescription", "motif_refus"},
    "parcours": set(),
    "sorties": set(),
}
ALPHA = {"KAOUMA", "TEANYOUEN", "WAIA", "OUNEMOA", "GOPOEA"}


# --- Helpers ----------------------------------------------------------------------------------


def exporter(client, user, **donnees):
    client.force_login(user)
    return client.post(reverse("exports:index"), {"format": "csv", **donnees})


def lire_csv(reponse) -> tablib.Dataset:
    assert reponse.status_code == 200, reponse.content.decode()[:2000]
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse.content.startswith(codecs.BOM_UTF8)
    texte = reponse.content.decode("utf-8-sig")
    return tablib.Dataset().load(texte, format="csv", delimiter=";")


def lire_xlsx(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert reponse["Content-Disposition"].endswith('.xlsx"')
    feuille = openpyxl.load_workbook(BytesIO(reponse.content)).active
    rangees = list(feuille.iter_rows(values_only=True))
    return feuille, list(rangees[0]), [dict(zip(rangees[0], r, strict=True)) for r in rangees[1:]]


def par_nom(tableau: tablib.Dataset) -> dict[str, dict]:
    return {rangee["nom"]: rangee for rangee in tableau.dict}


def reference(nom: str) -> str:
    return Prescription.objects.get(demandeur__nom=nom).reference


def noms(tableau: tablib.Dataset) -> set[str]:
    return {rangee["nom"] for rangee in tableau.dict}


# --- Stories on the demo data -------------------------------------------------------------------


def commander_beta(demo):
    """BETA's closed session (SIMUTOGA validated for 7 months): its order issued and
    acknowledged, so BETA runs a parcours of its own."""
    bon = BonDeCommande.objects.get(prestataire__code="BETA")
    with a("2026-11-25"):
        commandes.emettre(bon, par=demo["gestionnaire1"])
        commandes.accuser(bon, par=demo["beta1"])
    return parcours_de("SIMUTOGA")


def valider(demo, nom, *, jour, prestataire, lot, duree_mois):
    """A commission session of `prestataire` on `jour` validates `nom`'s prescription (clock
    on that day); returns its draft order."""
    gestionnaire, commission = demo["gestionnaire1"], demo["commission1"]
    with a(jour.isoformat()):
        session = procurement_services.ouvrir_session(
            SessionCommission(date_seance=jour, lot=Lot.objects.get(numero=lot),
                              prestataire=Prestataire.objects.get(code=prestataire)),
            par=gestionnaire, membres_del=[commission],
        )  # fmt: skip
        procurement_services.inscrire(
            session, [Prescription.objects.get(demandeur__nom=nom)], par=gestionnaire
        )
        procurement_services.ouvrir_seance(session, par=gestionnaire)
        procurement_services.decider(session.passages.get(), par=commission,
                                     decision=Decision.VALIDEE, duree_mois=duree_mois,
                                     commentaire="")  # fmt: skip
        return procurement_services.cloturer_seance(session, par=commission)


def commander_gamma(demo):
    """LEROUX (recognised by the CRHD, frein `handicap`) validated on lot 2 and ordered to
    GAMMA."""
    jour = date(2026, 11, 25)
    bon = valider(demo, "LEROUX", jour=jour, prestataire="GAMMA", lot=2, duree_mois=None)
    with a(jour.isoformat(), heure=10):
        commandes.emettre(bon, par=demo["gestionnaire1"])
        commandes.accuser(bon, par=demo["gamma1"])
    return parcours_de("LEROUX")


def revalider_xowie(demo):
    """XOWIE, adjourned at ALPHA's session of 10/11/2026, validated for 5 months at the next
    one, on 26/11/2026."""
    valider(demo, "XOWIE", jour=date(2026, 11, 26), prestataire="ALPHA", lot=1, duree_mois=5)


# --- Columns and values ---------------------------------------------------------------------


def test_parcours_export_reads_back_as_csv_with_contract_columns_and_codes(client, demo_bilans):
    with a("2026-11-25"):
        reponse = exporter(client, demo_bilans["gestionnaire1"], objet="parcours")
    assert reponse["Content-Disposition"] == 'attachment; filename="parcours-2026-11-25.csv"'
    tableau = lire_csv(reponse)
    assert tableau.headers == COLONNES["parcours"]
    lignes = par_nom(tableau)
    assert set(lignes) == ALPHA
    assert lignes["WAIA"] == {
        "reference": reference("WAIA"), "nom": "WAIA", "prenom": "Mathieu",
        "session": "BC-2026-0001", "prestataire": "ALPHA", "lot": "1",
        "date_premier_contact": "2026-08-31", "date_entree": "2026-08-31",
        "fin_prevue": "2027-03-30", "date_sortie": "", "etat": "en_cours", "duree_mois": "7",
        "charge": "",
    }  # fmt: skip
    assert lignes["KAOUMA"]["etat"] == "attente_entree"
    assert lignes["KAOUMA"]["charge"] == "alpha2"
    assert lignes["KAOUMA"]["session"] == "BC-2026-0002"
    assert lignes["TEANYOUEN"]["etat"] == "annule"
    # Ordered by reference.
    assert tableau["reference"] == sorted(tableau["reference"])


def test_parcours_export_as_xlsx_keeps_dates_and_numbers_native(client, demo_bilans):
    reponse = exporter(client, demo_bilans["gestionnaire1"], objet="parcours", format="xlsx")
    feuille, entetes, lignes = lire_xlsx(reponse)
    assert feuille.title == "Parcours"
    assert entetes == COLONNES["parcours"]
    gopoea = next(ligne for ligne in lignes if ligne["nom"] == "GOPOEA")
    assert gopoea["date_entree"] == datetime(2026, 9, 15)
    assert gopoea["fin_prevue"] == datetime(2027, 5, 28)
    assert gopoea["lot"] == 1
    assert gopoea["duree_mois"] == 8
    assert gopoea["date_sortie"] is None


def test_prescriptions_export_with_latest_decision_freins_and_binome(client, demo_bilans):
    revalider_xowie(demo_bilans)
    commander_gamma(demo_bilans)
    tableau = lire_csv(exporter(client, demo_bilans["gestionnaire1"], objet="prescriptions"))
    assert tableau.headers == COLONNES["prescriptions"]
    lignes = par_nom(tableau)
    assert len(lignes) == 16  # every prescription of the demo, whatever its state
    assert lignes["KAOUMA"] == {
        "reference": reference("KAOUMA"), "nom": "KAOUMA", "prenom": "Rose",
        "date_naissance": "1992-01-31", "genre": "F", "niveau_formation": "cap_bep",
        "commune": "noumea", "lot": "1", "prestataire": "ALPHA", "conseiller": "conseiller1",
        "travailleur_social": "", "date_prescription": "2026-11-02",
        "motif_prescription": "Orientation après entretien diagnostic au SEL.",
        "freins": "garde_enfants", "etat": "commandee", "date_commission": "2026-11-10",
        "decision": "validee", "motif_refus": "", "duree_mois": "6",
    }  # fmt: skip
    boewa = lignes["BOEWA"]
    assert (boewa["decision"], boewa["motif_refus"], boewa["duree_mois"]) == (
        "refusee", "projet_non_defini", "",
    )  # fmt: skip
    # Adjourned on 10/11, validated on 26/11: the latest decision is the one exported.
    xowie = lignes["XOWIE"]
    assert (xowie["date_commission"], xowie["decision"], xowie["duree_mois"]) == (
        "2026-11-26", "validee", "5",
    )  # fmt: skip
    # Lot 2 always lasts 8 months: duree_mois stays empty, as in CONTRACTS §2.
    leroux = lignes["LEROUX"]
    assert (leroux["lot"], leroux["decision"], leroux["duree_mois"]) == ("2", "validee", "")
    # The DEL sees every frein, sensitive ones included, as codes separated by |.
    assert lignes["GOPOEA"]["freins"] == "qualification|sante"
    assert leroux["freins"] == "handicap|savoir_etre"
    # A binôme names its travailleur social; a prescription never examined has no decision.
    assert lignes["WAMYTAN"]["travailleur_social"] == "ts1"
    assert (lignes["DUPONT"]["decision"], lignes["DUPONT"]["date_commission"]) == ("", "")
    assert lignes["POITHILY"]["etat"] == "brouillon"


def test_demandeurs_export_lists_people_with_their_references(client, demo_bilans):
    tableau = lire_csv(exporter(client, demo_bilans["gestionnaire1"], objet="demandeurs"))
    assert tableau.headers == COLONNES["demandeurs"]
    lignes = par_nom(tableau)
    assert len(lignes) == 16
    assert lignes["LEROUX"] == {
        "nom": "LEROUX", "prenom": "Sandrine", "date_naissance": "1978-11-30", "genre": "F",
        "niveau_formation": "bac_2", "commune": "mont_dore", "telephone": "+687 27 00 00",
        "email": "", "adresse": "", "situation_logement": "autonome",
        "reconnaissance_crhd": "oui", "enregistre_le": "2026-11-24",
        "references": reference("LEROUX"),
    }  # fmt: skip
    assert lignes["HMAE"]["situation_logement"] == "sans_domicile"
    assert lignes["HMAE"]["reconnaissance_crhd"] == "non"


def test_sorties_export_with_end_type_situation_and_class(client, demo_bilans):
    alpha1 = demo_bilans["alpha1"]
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2026, 12, 1), type_sortie="cdi")
    # OUNEMOA completes her parcours after her stage: an exit "au terme", no early exit.
    ounemoa = parcours_de("OUNEMOA")
    stage_termine(ounemoa, alpha1, date(2026, 12, 7), date(2026, 12, 18))
    sortie_anticipee(
        ounemoa, alpha1, ounemoa.fin_prevue, type_sortie="formation_pre_qualifiante",
        type_fin=TypeFin.TERME, motif_sortie="", difficultes="", preconisations="",
    )  # fmt: skip
    tableau = lire_csv(exporter(client, demo_bilans["gestionnaire1"], objet="sorties"))
    assert tableau.headers == COLONNES["sorties"]
    assert tableau["nom"] == ["WAIA", "OUNEMOA"]  # by date of exit
    waia, ounemoa = tableau.dict
    assert waia == {
        "reference": reference("WAIA"), "nom": "WAIA", "prenom": "Mathieu",
        "session": "BC-2026-0001", "prestataire": "ALPHA", "lot": "1",
        "date_entree": "2026-08-31", "date_sortie": "2026-12-01", "type_fin": "anticipee",
        "sortie_anticipee": "oui", "type_sortie": "cdi", "classe_sortie": "ED",
        "motif_sortie_anticipee": "Départ de WAIA",
    }  # fmt: skip
    assert (
        ounemoa["date_sortie"], ounemoa["type_fin"], ounemoa["sortie_anticipee"],
        ounemoa["type_sortie"], ounemoa["classe_sortie"],
    ) == ("2027-02-28", "terme", "non", "formation_pre_qualifiante", "SP")  # fmt: skip


def test_csv_neutralises_formulas_but_keeps_phone_numbers(client, demo_bilans):
    Prescription.objects.filter(demandeur__nom="DUPONT").update(motif='=HYPERLINK("http://x")')
    gestionnaire = demo_bilans["gestionnaire1"]
    prescriptions = par_nom(lire_csv(exporter(client, gestionnaire, objet="prescriptions")))
    assert prescriptions["DUPONT"]["motif_prescription"] == '\'=HYPERLINK("http://x")'
    demandeurs = par_nom(lire_csv(exporter(client, gestionnaire, objet="demandeurs")))
    assert demandeurs["DUPONT"]["telephone"] == "+687 27 00 00"
    _, _, lignes = lire_xlsx(exporter(client, gestionnaire, objet="prescriptions", format="xlsx"))
    dupont = next(ligne for ligne in lignes if ligne["nom"] == "DUPONT")
    assert dupont["motif_prescription"] == '\'=HYPERLINK("http://x")'


# --- Filters --------------------------------------------------------------------------------


def test_filters_on_each_exports_main_date_lot_prestataire_and_state(client, demo_bilans):
    commander_gamma(demo_bilans)
    sortie_anticipee(parcours_de("WAIA"), demo_bilans["alpha1"], date(2026, 12, 1))
    gestionnaire = demo_bilans["gestionnaire1"]

    def lignes(**filtres):
        return noms(lire_csv(exporter(client, gestionnaire, **filtres)))

    assert lignes(objet="parcours", du="2026-09-01", au="2026-09-30") == {"OUNEMOA", "GOPOEA"}
    assert lignes(objet="parcours", du="01/09/2026") == {"OUNEMOA", "GOPOEA"}
    assert lignes(objet="parcours", lot="2") == {"LEROUX"}
    assert lignes(objet="parcours", prestataire="GAMMA") == {"LEROUX"}
    assert lignes(objet="parcours", etat="attente_entree") == {"KAOUMA", "LEROUX"}
    assert lignes(objet="sorties", du="2026-12-01", au="2026-12-01") == {"WAIA"}
    assert lignes(objet="sorties", au="2026-11-30") == set()
    assert lignes(objet="prescriptions", etat="refusee") == {"BOEWA"}
    assert lignes(objet="prescriptions", du="2026-08-01", au="2026-08-31") == {
        "WAIA", "OUNEMOA", "GOPOEA",
    }  # fmt: skip
    assert lignes(objet="demandeurs", lot="2") == {"LEROUX"}
    assert len(lignes(objet="demandeurs", prestataire="BETA")) == 5
    # Registered on 24/11/2026 (the day of the demo data): the day is Nouméa's.
    assert len(lignes(objet="demandeurs", du="2026-11-24", au="2026-11-24")) == 16
    assert lignes(objet="demandeurs", du="2026-11-25") == set()


def test_each_export_is_written_in_the_journal_with_its_filters(client, demo_bilans):
    reponse = exporter(
        client, demo_bilans["gestionnaire1"], objet="parcours", format="xlsx",
        du="2026-09-01", au="2026-09-30", lot="1", prestataire="ALPHA", etat="en_cours",
    )  # fmt: skip
    _, _, lignes = lire_xlsx(reponse)
    assert {ligne["nom"] for ligne in lignes} == {"OUNEMOA", "GOPOEA"}
    journal = JournalExport.objects.get()
    assert journal.utilisateur == demo_bilans["gestionnaire1"]
    assert (journal.objet, journal.format, journal.lignes) == ("parcours", "xlsx", 2)
    assert journal.filtres == {
        "du": "2026-09-01", "au": "2026-09-30", "lot": 1, "prestataire": "ALPHA",
        "etat": "en_cours",
    }  # fmt: skip
    exporter(client, demo_bilans["alpha1"], objet="demandeurs")
    dernier = JournalExport.objects.first()  # newest first
    assert (dernier.utilisateur.username, dernier.objet, dernier.format) == (
        "alpha1", "demandeurs", "csv",
    )  # fmt: skip
    assert (dernier.filtres, dernier.lignes) == ({}, 5)


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        (
            {"objet": "parcours", "du": "2026-09-30", "au": "2026-08-01"},
            "au",
            "La fin de la période (01/08/2026) précède son début (30/09/2026).",
        ),
        ({"objet": "parcours", "du": "31/02/2026"}, "du", "Saisissez une date valide."),
        ({"objet": "demandeurs", "etat": "en_cours"}, "etat", "n’ont pas d’état"),
        ({"objet": "parcours", "etat": "refusee"}, "etat", "pas un état des parcours"),
        ({"objet": "parcours", "lot": "3"}, "lot", "Sélectionnez un choix valide"),
        ({"objet": "bilans"}, "objet", "Sélectionnez un choix valide"),
        ({"objet": "parcours", "format": "pdf"}, "format", "Sélectionnez un choix valide"),
    ],
)
def test_bad_filter_shows_the_french_error_on_its_field_and_logs_nothing(
    client, demo_bilans, donnees, champ, message
):
    reponse = exporter(client, demo_bilans["gestionnaire1"], **donnees)
    assert reponse.status_code == 400
    assert reponse["Content-Type"].startswith("text/html")
    erreurs = reponse.context["form"].errors
    assert list(erreurs) == [champ]
    assert message.replace("’", "'") in erreurs[champ][0].replace("’", "'")
    assert "del-error" in reponse.content.decode()
    assert not JournalExport.objects.exists()


# --- Who exports what -----------------------------------------------------------------------


@pytest.mark.parametrize("objet", list(COLONNES))
def test_beta_exports_none_of_alphas_data(client, demo_bilans, objet):
    commander_beta(demo_bilans)
    sortie_anticipee(parcours_de("WAIA"), demo_bilans["alpha1"], date(2026, 12, 1))
    # A prestataire filter typed by hand is ignored: BETA's own organisation is implied.
    tableau = lire_csv(exporter(client, demo_bilans["beta1"], objet=objet, prestataire="ALPHA"))
    assert not noms(tableau) & ALPHA
    attendu = set() if objet == "sorties" else {"SIMUTOGA"}
    assert noms(tableau) == attendu
    assert "prestataire" not in JournalExport.objects.get().filtres
    # The DEL exports ALPHA's and BETA's alike.
    tout = noms(lire_csv(exporter(client, demo_bilans["gestionnaire1"], objet=objet)))
    assert ({"WAIA"} | attendu) <= tout


def test_a_prestataires_direction_exports_all_its_parcours(client, demo_bilans):
    tableau = lire_csv(exporter(client, demo_bilans["alpha1"], objet="parcours"))
    assert noms(tableau) == ALPHA
    prescriptions = lire_csv(exporter(client, demo_bilans["alpha1"], objet="prescriptions"))
    assert noms(prescriptions) == ALPHA  # not DUPONT, HMAE...: no parcours of theirs yet


def test_a_charge_exports_only_the_parcours_assigned_to_them(client, demo_bilans):
    alpha2 = demo_bilans["alpha2"]
    # A chargé d'insertion has no export permission (the direction supervises the files)...
    assert exporter(client, alpha2, objet="parcours").status_code == 403
    # ... and granted one, sees in the files what Parcours.visibles_par shows them.
    alpha2.user_permissions.add(Permission.objects.get(codename="exporter_donnees"))
    for objet in ("parcours", "prescriptions", "demandeurs"):
        assert noms(lire_csv(exporter(client, alpha2, objet=objet))) == {"KAOUMA"}


@pytest.mark.parametrize("username", ["conseiller1", "alpha2", "finance1", "admin"])
def test_without_the_export_permission_nothing_is_exported(client, demo_bilans, username):
    reponse = exporter(client, demo_bilans[username], objet="demandeurs")
    assert reponse.status_code == 403
    assert not JournalExport.objects.exists()


def test_prestataire_files_carry_no_sensitive_data(client, demo_bilans):
    commander_gamma(demo_bilans)  # LEROUX: frein handicap, CRHD recognition
    alpha1, gamma1 = demo_bilans["alpha1"], demo_bilans["gamma1"]
    sensibles = set(Frein.objects.filter(sensible=True).values_list("code", flat=True))
    assert {"sante", "handicap"} <= sensibles
    # GOPOEA (ALPHA) has the frein `sante`, LEROUX (GAMMA) `handicap`.
    restants = [(alpha1, "GOPOEA", "qualification"), (gamma1, "LEROUX", "savoir_etre")]
    for user, nom, restant in restants:
        prescriptions = lire_csv(exporter(client, user, objet="prescriptions"))
        assert prescriptions.headers == [
            c for c in COLONNES["prescriptions"] if c not in RESERVEES_A_LA_DEL["prescriptions"]
        ]
        assert par_nom(prescriptions)[nom]["freins"] == restant
        for rangee in prescriptions.dict:
            assert not set(rangee["freins"].split("|")) & sensibles
        demandeurs = lire_csv(exporter(client, user, objet="demandeurs"))
        assert demandeurs.headers == [
            c for c in COLONNES["demandeurs"] if c not in RESERVEES_A_LA_DEL["demandeurs"]
        ]
        _, entetes, lignes = lire_xlsx(exporter(client, user, objet="prescriptions", format="xlsx"))
        assert "motif_prescription" not in entetes
        assert next(ligne for ligne in lignes if ligne["nom"] == nom)["freins"] == restant


# --- The page -------------------------------------------------------------------------------


def test_the_page_offers_the_prestataire_filter_to_the_del_only(client, demo_bilans):
    client.force_login(demo_bilans["gestionnaire1"])
    page = client.get(reverse("exports:index"))
    assert page.status_code == 200
    assert "prestataire" in page.context["form"].fields
    assert page.context["peut_lire_journal"] is True
    colonnes = dict(page.context["exports"])
    assert colonnes["Demandeurs d'emploi"] == COLONNES["demandeurs"]

    client.force_login(demo_bilans["beta1"])
    page = client.get(reverse("exports:index"))
    assert page.status_code == 200
    assert "prestataire" not in page.context["form"].fields
    assert page.context["peut_lire_journal"] is False
    assert "reconnaissance_crhd" not in dict(page.context["exports"])["Demandeurs d'emploi"]
    assert "aucune donnée sensible" in page.content.decode()


# --- Constant number of queries -------------------------------------------------------------


def ajouter_parcours(demo, nombre, premier=0):
    """`nombre` ALPHA people bulk-created on ALPHA's November order: a prescription with two
    freins (one sensitive) and the commission's decision, and a parcours, every other one
    ended with a situation at exit."""
    bon = BonDeCommande.objects.select_related("session", "prestataire", "lot").get(
        numero="BC-2026-0002"
    )
    lignes = lignes_commandees(
        range(premier, premier + nombre), bon=bon, prestataire=bon.prestataire, lot=bon.lot,
        conseiller=demo["conseiller1"], duree_mois=6, nom="EXPORT",
    )  # fmt: skip
    Freins = Prescription.freins.through
    Freins.objects.bulk_create(
        Freins(prescription_id=ligne.prescription_id, frein=frein)
        for ligne in lignes
        for frein in Frein.objects.filter(code__in=["mobilite", "sante"])
    )
    PassageCommission.objects.bulk_create(
        PassageCommission(session=bon.session, prescription_id=ligne.prescription_id,
                          decision=Decision.VALIDEE, duree_mois=6,
                          decide_par=demo["commission1"],
                          decide_le=datetime(2026, 11, 10, 14, tzinfo=NOUMEA))
        for ligne in lignes
    )  # fmt: skip
    sorties, entree = cycle(TypeSortie.objects.all()), date(2026, 11, 16)
    Parcours.objects.bulk_create(
        parcours_de_la_ligne(
            ligne, date_entree=entree, fin_prevue=entree + timedelta(days=180),
            **(
                {"etat": EtatParcours.TERMINE, "date_sortie": entree + timedelta(days=10),
                 "type_fin": TypeFin.ANTICIPEE, "type_sortie": next(sorties)}
                if rang % 2 else {"etat": EtatParcours.EN_COURS}
            ),
        )
        for rang, ligne in enumerate(lignes)
    )  # fmt: skip


def mesurer(client, user, objet) -> tuple[int, int]:
    """The queries of one export, and its rows."""
    client.force_login(user)
    exporter(client, user, objet=objet)  # warm the process-wide caches, unmeasured
    with CaptureQueriesContext(connection) as requetes:
        reponse = exporter(client, user, objet=objet)
    return len(requetes.captured_queries), len(lire_csv(reponse))


@pytest.mark.parametrize("objet", list(COLONNES))
def test_each_export_runs_a_constant_number_of_queries(client, demo_bilans, objet):
    lecteurs = [demo_bilans["gestionnaire1"], demo_bilans["alpha1"]]
    ajouter_parcours(demo_bilans, 3)
    avant = {user.username: mesurer(client, user, objet) for user in lecteurs}
    ajouter_parcours(demo_bilans, 27, premier=3)
    apres = {user.username: mesurer(client, user, objet) for user in lecteurs}
    ajoutees = {"sorties": 27 // 2}.get(objet, 27)  # every other one has ended
    for username, (requetes, lignes) in apres.items():
        assert lignes == avant[username][1] + ajoutees, username
        assert requetes == avant[username][0], (username, avant[username][0], requetes)


# --- The journal of nominative exports ----------------------------------------------------------


def test_journal_lists_exports_newest_first_with_their_filters(client, demo_bilans):
    with a("2026-11-20"):
        exporter(client, demo_bilans["alpha1"], objet="demandeurs")
    with a("2026-11-22"):
        exporter(client, demo_bilans["gestionnaire1"], objet="parcours", format="xlsx",
                 du="2026-09-01", lot="1", etat="en_cours")  # fmt: skip
    for username in ("gestionnaire1", "admin"):
        client.force_login(demo_bilans[username])
        page = client.get(reverse("journal_exports:index"))
        assert page.status_code == 200
        entrees = list(page.context["object_list"])
        assert [e.utilisateur.username for e in entrees] == ["gestionnaire1", "alpha1"]
        texte = page.content.decode()
        assert "du 01/09/2026, lot 1, état « En cours »" in texte
        assert "aucun filtre" in texte
        assert "22/11/2026" in texte
    client.force_login(demo_bilans["alpha1"])
    assert client.get(reverse("journal_exports:index")).status_code == 403


def creer_journal(demo, nombre):
    JournalExport.objects.bulk_create(
        JournalExport(
            utilisateur=demo["alpha1" if rang % 2 else "gestionnaire1"], objet="parcours",
            format="csv", filtres={"du": "2026-01-01", "prestataire": "ALPHA"}, lignes=rang,
        )
        for rang in range(nombre)
    )  # fmt: skip


def test_journal_page_runs_a_constant_number_of_queries(client, demo_bilans):
    client.force_login(demo_bilans["gestionnaire1"])

    def compter():
        client.get(reverse("journal_exports:index"))
        with CaptureQueriesContext(connection) as requetes:
            page = client.get(reverse("journal_exports:index"))
        return len(requetes.captured_queries), len(page.context["object_list"])

    creer_journal(demo_bilans, 3)
    avant = compter()
    creer_journal(demo_bilans, 60)
    apres = compter()
    assert (avant[1], apres[1]) == (3, 50)  # paginated by 50
    assert apres[0] == avant[0]


def test_journal_is_read_only_in_the_django_admin(client, demo_bilans):
    exporter(client, demo_bilans["gestionnaire1"], objet="parcours")
    journal = JournalExport.objects.get()
    client.force_login(demo_bilans["admin"])
    assert client.get(reverse("admin:reporting_journalexport_changelist")).status_code == 200
    fiche = reverse("admin:reporting_journalexport_change", args=[journal.pk])
    assert client.get(fiche).status_code == 200
    assert client.post(fiche, {"lignes": 0}).status_code == 403
    assert client.get(reverse("admin:reporting_journalexport_add")).status_code == 403
    suppression = reverse("admin:reporting_journalexport_delete", args=[journal.pk])
    assert client.post(suppression, {"post": "yes"}).status_code == 403
    journal.refresh_from_db()
    assert journal.lignes == 5
