"""The état de rémunération as its users live it: ALPHA declares October, finance sends one
line back, ALPHA corrects it, finance accepts; the files say what the screen says."""

import json
import re
from datetime import date, datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from pypdf import PdfReader
from viewflow.workflow.models import Task

from accueil.views import taches_de
from prestataires.models import Parcours
from procurement.models import Prescription, Prestataire
from remunerations import services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration, LigneRemuneration
from remunerations.services import cle
from remunerations.templatetags.francs import ecart, francs
from tests.paralleles import en_meme_temps
from workflows.models import Notification

from .conftest import a, declarer_le_du, placer_stagiaire, poster, refuse

pytestmark = pytest.mark.django_db

OCTOBRE = date(2026, 10, 1)


def etat_d_octobre():
    return EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)


def saisie(client, etat, **modifications):
    """The declaration form as the page shows it, with some fields retyped: `modifications`
    maps a stagiaire's name to its new values (heures, verse, cafat)."""
    form = client.get(etat.get_absolute_url()).context["form_declaration"]
    donnees = {nom: form[nom].value() for nom in form.fields}
    for ligne in form.lignes:
        for champ, valeur in modifications.get(ligne.nom, {}).items():
            donnees[f"{champ[0]}_{cle(ligne)}"] = valeur
    return {cle_: "" if valeur is None else valeur for cle_, valeur in donnees.items()}


def ligne_de(etat, nom):
    return LigneRemuneration.objects.get(etat=etat, parcours__demandeur__nom=nom, mois=etat.mois)


@pytest.mark.pdf
def test_a_month_goes_from_the_prestataire_to_finance_and_back_until_reconciled(demo, client):
    etat = etat_d_octobre()
    url = etat.get_absolute_url()

    # ALPHA submits October as declared (OUNEMOA was paid 1 000 F short), confirming the gap.
    client.force_login(demo["alpha1"])
    with a("2026-11-24"):
        poster(client, url, action="soumettre", confirme="1", **saisie(client, etat))
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.SOUMIS
    assert etat.soumis_par == demo["alpha1"]
    # The reconciliation is now a task in finance's inbox, not in ALPHA's.
    taches_finance = taches_de(demo["finance1"]).filter(process_id=etat.process_id)
    assert [t.flow_task.name for t in taches_finance] == ["rapprocher"]
    assert not [t for t in taches_de(demo["alpha1"]) if t.process_id == etat.process_id]

    # Finance sees due, declared and difference per line, and sends OUNEMOA's line back.
    client.force_login(demo["finance1"])
    page = client.get(url)
    releve = page.context["releve"]
    assert [(ligne.nom, ligne.montant_du, ligne.montant_declare, ligne.ecart) for ligne in releve.lignes] == [  # noqa: E501
        ("WAIA", 81818, 81818, 0),
        ("OUNEMOA", 83801, 82801, -1000),
        ("GOPOEA", 51362, 51362, 0),
    ]  # fmt: skip
    assert (releve.montant_du, releve.montant_declare, releve.ecart) == (216981, 215981, -1000)
    ounemoa = next(ligne for ligne in releve.lignes if ligne.nom == "OUNEMOA")
    with a("2026-11-25"):
        poster(
            client,
            url,
            action="renvoyer",
            **{f"renvoi-n_{cle(ounemoa)}": "Il manque 1 000 F : versez le complément."},
        )
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.RENVOYE
    assert ligne_de(etat, "OUNEMOA").commentaire_finance.startswith("Il manque 1 000 F")

    # ALPHA reads the comment, pays the difference and submits again.
    client.force_login(demo["alpha1"])
    assert "Il manque 1 000 F" in client.get(url).content.decode()
    with a("2026-11-26"):
        poster(client, url, action="soumettre", **saisie(client, etat, OUNEMOA={"d": 83801}))
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.SOUMIS

    # Finance accepts: October is reconciled, its lines frozen with what was accepted.
    client.force_login(demo["finance1"])
    with a("2026-11-27"):
        poster(client, url, action="accepter", confirme="1")
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.ACCEPTE
    assert etat.accepte_par == demo["finance1"]
    assert ligne_de(etat, "OUNEMOA").montant_du == 83801
    assert etat.process.finished is not None
    assert [t.cible for t in _journal(etat)] == ["soumis", "renvoye", "soumis", "accepte"]

    # The XLSX and the PDF say what the screen says.
    ecran = client.get(url).context["releve"]
    classeur = openpyxl.load_workbook(BytesIO(client.get(f"{url}export.xlsx").content))
    feuille = classeur["Lignes"]
    entetes = [cellule.value for cellule in feuille[1]]
    rangees = [
        dict(zip(entetes, valeurs, strict=True))
        for valeurs in feuille.iter_rows(min_row=2, values_only=True)
    ]
    assert [(r["Nom"], r["Montant dû"], r["Montant versé"], r["Écart"], r["CAFAT versée"]) for r in rangees] == [  # noqa: E501
        (ligne.nom, ligne.montant_du, ligne.montant_declare, ligne.ecart, ligne.cafat_declaree)
        for ligne in ecran.lignes
    ]  # fmt: skip
    totaux = list(classeur["Totaux"].iter_rows(min_row=2, values_only=True))
    assert totaux == [
        ("ALPHA", datetime(2026, 10, 1), "Accepté : mois rapproché", 1, 216981, 216981, 0)
    ]
    assert classeur["Totaux"]["B2"].number_format == "MM/YYYY"  # a date, not "octobre 2026"
    pdf = b"".join(client.get(f"{url}export.pdf").streaming_content)
    texte = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    for ligne in ecran.lignes:
        assert ligne.reference in texte
        for montant in (francs(ligne.montant_du), francs(ligne.montant_declare)):
            assert montant.replace("\u202f", " ").replace("\xa0", " ") in _espaces(texte)
    assert francs(ecran.montant_du).replace("\u202f", " ").replace("\xa0", " ") in _espaces(texte)
    assert ecart(0) in texte


def _espaces(texte):
    return texte.replace("\u202f", " ").replace("\xa0", " ")


def _journal(etat):
    from workflows.history import historique

    return historique(etat)


# --- The command of docs/contrats.md §4 ---------------------------------------------------------


def commande(*args):
    sortie = StringIO()
    call_command("etats_remuneration", *args, stdout=sortie)
    return sortie.getvalue()


def references():
    """Each demo person's reference (PR- and the prescription's number, which the database
    gives)."""
    return {p.demandeur.nom: p.reference for p in Prescription.objects.select_related("demandeur")}


def test_command_json_for_the_demo_matches_a_hand_computation(demo):
    """SMG on 1 October 2026: 991,73 F/h, 167 602 F a month (in force since 1 June 2025)."""
    ref = references()
    assert re.fullmatch(r"PR-\d{6}", ref["WAIA"])
    attendu = [
        {
            # 31 days of 31, 4 h absent: 0.5 × (167 602 − 991.73 × 4) = 81 817.54 -> 81 818
            "reference": ref["WAIA"], "nom": "WAIA", "prenom": "Mathieu", "jours": 31,
            "jours_du_mois": 31, "smg_mensuel": 167602, "absences_heures": 4,
            "montant_du": 81818, "montant_declare": 81818, "ecart": 0,
        },
        {
            # the whole month: 0.5 × 167 602 = 83 801; paid 1 000 F short
            "reference": ref["OUNEMOA"], "nom": "OUNEMOA", "prenom": "Cindy", "jours": 31,
            "jours_du_mois": 31, "smg_mensuel": 167602, "absences_heures": 0,
            "montant_du": 83801, "montant_declare": 82801, "ecart": -1000,
        },
        {
            # suspended from 20 October (resumed 3 November): 19 days paid,
            # 0.5 × 167 602 × 19 ÷ 31 = 51 361.9… -> 51 362
            "reference": ref["GOPOEA"], "nom": "GOPOEA", "prenom": "Yannick", "jours": 19,
            "jours_du_mois": 31, "smg_mensuel": 167602, "absences_heures": 0,
            "montant_du": 51362, "montant_declare": 51362, "ecart": 0,
        },
    ]  # fmt: skip
    assert json.loads(commande("--mois", "2026-10", "--format", "json")) == attendu
    assert json.loads(commande("--mois", "2026-10", "--prestataire", "ALPHA")) == attendu
    assert json.loads(commande("--mois", "2026-10", "--prestataire", "BETA")) == []
    # August: WAIA entered on the 31st, 1 day of 31: 0.5 × 167 602 ÷ 31 = 2 703.2… -> 2 703
    assert json.loads(commande("--mois", "2026-08")) == [
        {
            "reference": ref["WAIA"], "nom": "WAIA", "prenom": "Mathieu", "jours": 1,
            "jours_du_mois": 31, "smg_mensuel": 167602, "absences_heures": 0,
            "montant_du": 2703, "montant_declare": 2703, "ecart": 0,
        }
    ]  # fmt: skip
    # A month nobody declared yet: amounts due, nothing declared.
    with a("2026-11-24"):
        novembre = json.loads(commande("--mois", "2026-11"))
    assert [(ligne["nom"], ligne["montant_declare"], ligne["ecart"]) for ligne in novembre] == [
        ("WAIA", None, None),
        ("OUNEMOA", None, None),
        ("GOPOEA", None, None),
    ]


@pytest.mark.pdf
def test_command_csv_xlsx_and_pdf_carry_the_same_columns(demo, tmp_path):
    csv = commande("--mois", "2026-10", "--format", "csv").splitlines()
    assert csv[0] == (
        "reference,nom,prenom,jours,jours_du_mois,smg_mensuel,absences_heures,montant_du,"
        "montant_declare,ecart"
    )
    assert csv[2] == f"{references()['OUNEMOA']},OUNEMOA,Cindy,31,31,167602,0,83801,82801,-1000"
    chemin = tmp_path / "octobre.xlsx"
    commande("--mois", "2026-10", "--format", "xlsx", "--sortie", str(chemin))
    rangees = list(openpyxl.load_workbook(chemin).active.iter_rows(values_only=True))
    assert rangees[0][0] == "reference" and rangees[2][7] == 83801
    chemin = tmp_path / "octobre.pdf"
    commande("--mois", "2026-10", "--format", "pdf", "--sortie", str(chemin))
    assert references()["GOPOEA"] in PdfReader(chemin).pages[0].extract_text()


def test_command_refuses_a_bad_month_or_an_unknown_prestataire(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM"):
        commande("--mois", "10/2026")
    with pytest.raises(CommandError, match="Prestataire inconnu"):
        commande("--mois", "2026-10", "--prestataire", "OMEGA")


# --- Deadlines and who is told -----------------------------------------------------------------


def test_a_month_not_submitted_by_the_10th_is_flagged_to_finance_the_next_day(demo):
    placer_stagiaire("BETA", date(2026, 11, 2))
    with a("2026-12-01", heure=6):
        call_command("ouvrir_etats_remuneration", stdout=StringIO())
    novembre = {
        etat.prestataire.code: etat
        for etat in EtatRemuneration.objects.filter(mois=date(2026, 11, 1))
    }
    assert set(novembre) == {"ALPHA", "BETA"}  # GAMMA had nobody in parcours
    # ALPHA submits on time; BETA does not.
    with a("2026-12-09"):
        declarer_le_du(novembre["ALPHA"], demo["alpha1"])
        services.soumettre(novembre["ALPHA"], par=demo["alpha1"])

    def alertes():
        return list(
            Notification.objects.filter(
                destinataire=demo["finance1"], message__contains="novembre 2026 : BETA"
            )
        )

    with a("2026-12-10", heure=23):
        call_command("workflow_timers", stdout=StringIO())
    assert alertes() == []
    with a("2026-12-11", heure=0):
        call_command("workflow_timers", stdout=StringIO())
    assert [alerte.message for alerte in alertes()] == [
        "État de rémunération novembre 2026 : BETA : non soumis le 10/12/2026."
    ]
    novembre["BETA"].refresh_from_db()
    assert novembre["BETA"].retard_signale_le is not None
    # Opening the états again the next days changes nothing.
    with a("2026-12-12"):
        call_command("ouvrir_etats_remuneration", stdout=StringIO())
    assert EtatRemuneration.objects.filter(mois=date(2026, 11, 1)).count() == 2


def test_the_prestataire_queue_holds_its_own_etats_only(demo):
    placer_stagiaire("BETA", date(2026, 10, 5))
    with a("2026-11-24"):
        beta = services.ouvrir_etat(Prestataire.objects.get(code="BETA"), OCTOBRE)
    assert [t.process_id for t in taches_de(demo["beta1"]) if t.flow_task.name == "declarer"] == [
        beta.process_id
    ]
    assert beta.process_id not in {t.process_id for t in taches_de(demo["alpha1"])}
    assert not [t for t in taches_de(demo["alpha2"]) if t.flow_task.name == "declarer"]


# --- Refusals: a clear message where it was typed, and nothing changes ------------------------


def test_an_etat_is_submitted_only_once_every_stagiaire_has_a_line(demo, client):
    etat = etat_d_octobre()
    client.force_login(demo["alpha1"])
    with a("2026-11-24"):
        texte = refuse(
            client,
            etat.get_absolute_url(),
            action="soumettre",
            **saisie(client, etat, GOPOEA={"d": "", "c": ""}),
        )
    assert "Déclarez le montant versé et la couverture sociale" in texte
    assert "Yannick GOPOEA" in texte
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.BROUILLON
    # The submission and the save it carried are one transaction: GOPOEA's line is intact.
    assert ligne_de(etat, "GOPOEA").montant_declare == 51362


def test_bad_amounts_are_refused_on_their_field_and_change_nothing(demo, client):
    etat = etat_d_octobre()
    version = etat.version
    client.force_login(demo["alpha1"])
    reponse = client.post(
        etat.get_absolute_url(),
        {"action": "declarer", **saisie(client, etat, WAIA={"d": -5, "h": 200})},
    )
    assert reponse.status_code == 400
    form = reponse.context["form_declaration"]
    waia = next(ligne for ligne in form.lignes if ligne.nom == "WAIA")
    assert form.errors[f"d_{cle(waia)}"] == ["Un montant versé ne peut pas être négatif."]
    assert form.errors[f"h_{cle(waia)}"] == ["Au plus 169 heures (un mois de SMG)."]
    etat.refresh_from_db()
    assert etat.version == version
    assert ligne_de(etat, "WAIA").montant_declare == 81818


def test_two_people_saving_the_same_etat_never_overwrite_each_other(demo, client):
    """Each save carries the version it was typed on; a stale one is refused."""
    etat = etat_d_octobre()
    client.force_login(demo["alpha1"])
    typee_avant = saisie(client, etat, WAIA={"d": 80000})
    # Meanwhile a colleague saves the état.
    with transaction.atomic():
        services.declarer(
            etat,
            par=demo["alpha1"],
            version=etat.version,
            declarations={
                f"{Parcours.objects.get(demandeur__nom='WAIA').pk}-2026-10": {
                    "montant_declare": 81000
                }
            },  # noqa: E501
        )
    texte = refuse(client, etat.get_absolute_url(), action="declarer", **typee_avant)
    assert "Quelqu&#x27;un a modifié cet état pendant votre saisie" in texte
    assert ligne_de(etat, "WAIA").montant_declare == 81000


def test_finance_returns_an_etat_only_with_a_comment(demo, client):
    etat = etat_d_octobre()
    client.force_login(demo["alpha1"])
    with a("2026-11-24"):
        poster(
            client,
            etat.get_absolute_url(),
            action="soumettre",
            confirme="1",
            **saisie(client, etat),
        )
    client.force_login(demo["finance1"])
    texte = refuse(client, etat.get_absolute_url(), action="renvoyer")
    assert "Commentez au moins une ligne à corriger." in texte
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.SOUMIS


def test_months_are_reconciled_in_order(demo):
    with a("2026-12-02"):
        novembre = services.ouvrir_etat(Prestataire.objects.get(code="ALPHA"), date(2026, 11, 1))
        declarer_le_du(novembre, demo["alpha1"])
        services.soumettre(novembre, par=demo["alpha1"])
        with pytest.raises(
            Exception, match=r"Rapprochez d'abord le mois précédent : octobre 2026 \(ALPHA\)"
        ):
            services.accepter(novembre, par=demo["finance1"])
    novembre.refresh_from_db()
    assert novembre.etat == EtatDeclaration.SOUMIS
    assert Task.objects.filter(process=novembre.process, flow_task__isnull=False).exists()


# --- Concurrent users --------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_a_month_opened_by_several_people_at_once_has_one_etat_and_one_process(
    demo_hors_transaction,
):
    alpha = Prestataire.objects.get(code="ALPHA")
    resultats, erreurs = en_meme_temps(
        4, lambda i: services.ouvrir_etat(alpha, date(2026, 11, 1)).pk
    )
    assert not erreurs
    assert len(set(resultats)) == 1
    etat = EtatRemuneration.objects.get(prestataire=alpha, mois=date(2026, 11, 1))
    assert processus_de(etat) == 1


def processus_de(etat):
    from workflows.models import RemunerationProcess

    return RemunerationProcess.objects.filter(etat_remuneration=etat).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_two_saves_typed_on_the_same_version_at_once_keep_exactly_one(demo_hors_transaction):
    demo = demo_hors_transaction
    etat = etat_d_octobre()
    waia = Parcours.objects.get(demandeur__nom="WAIA")

    def declarer(i):
        with transaction.atomic():
            services.declarer(
                etat,
                par=demo["alpha1"],
                version=etat.version,
                declarations={f"{waia.pk}-2026-10": {"montant_declare": 80000 + i}},
            )
        return i

    resultats, erreurs = en_meme_temps(2, declarer)
    assert len(resultats) == 1 and len(erreurs) == 1
    assert "pendant votre saisie" in str(erreurs[0])
    assert ligne_de(etat, "WAIA").montant_declare == 80000 + resultats[0]


def test_an_earlier_month_does_not_open_while_a_later_etat_carries_regularisations(demo):
    """Adjustments belong to the first état not reconciled: opening an earlier month would
    take them from the état they were declared on."""
    alpha = Prestataire.objects.get(code="ALPHA")
    EtatRemuneration.objects.filter(prestataire=alpha, mois=date(2026, 9, 1)).delete()
    with a("2026-11-24"), transaction.atomic():
        services.regulariser(
            etat_d_octobre(),
            par=demo["alpha1"],
            parcours=Parcours.objects.get(demandeur__nom="WAIA"),
            mois=date(2026, 8, 1),
            absences_heures=2,
        )
    with a("2026-11-24"), pytest.raises(Exception) as refus:
        services.ouvrir_etat(alpha, date(2026, 9, 1))
    assert refus.value.message_dict == {
        "mois": [
            "Un état plus récent porte des régularisations (octobre 2026) : faites-le "
            "rapprocher avant d'ouvrir un mois antérieur."
        ]
    }
    assert not EtatRemuneration.objects.filter(prestataire=alpha, mois=date(2026, 9, 1)).exists()


def test_a_month_to_come_or_mistyped_is_refused_where_it_was_typed(demo, client):
    client.force_login(demo["alpha1"])
    with a("2026-11-24"):
        for mois, message in (
            ("2026-12", "Un mois à venir ne se déclare pas encore."),
            ("novembre", "Indiquez un mois sous la forme AAAA-MM."),
        ):
            reponse = client.post("/remunerations/ouvrir/", {"mois": mois})
            assert reponse.status_code == 400
            assert reponse.context["form_ouvrir"].errors == {"mois": [message]}
        assert not EtatRemuneration.objects.filter(mois__gte=date(2026, 11, 1)).exists()
        reponse = poster(client, "/remunerations/ouvrir/", mois="2026-11")
    assert reponse.url == EtatRemuneration.objects.get(mois=date(2026, 11, 1)).get_absolute_url()
