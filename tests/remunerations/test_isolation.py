"""Prestataire isolation on every page and file of the états de rémunération (docs/domaine.md:
"a prestataire's users see only their own organisation's orders, parcours and bilans [...] This
is a hard security boundary, tested on every view, export and API endpoint"): a prestataire's
direction never sees another prestataire's état, its lines or its stagiaires (a real 404, never
a 403 that would confirm the état exists), and its month and year files and totals hold its own
stagiaires only; finance and the gestionnaire read everything; a chargé d'insertion and the rest
of the DEL have no access at all. The actions are in test_isolation_actions.py.

The stories run on the demo data seeded on 24/11/2026 (ALPHA's August and September are
reconciled, its October is declared and waits to be submitted), with a stagiaire of BETA
entered on 5 October 2026 and BETA's October état opened (tests/remunerations/conftest.py)."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from prestataires.models import Parcours
from procurement.models import Prestataire
from remunerations import calcul
from remunerations.models import EtatRemuneration
from tests.bons_de_commande.conftest import texte_pdf
from tests.isolation import connecte

from .conftest import JOUR, OCTOBRE, STAGIAIRE_DE_BETA, STAGIAIRES_D_ALPHA, a, reference

pytestmark = pytest.mark.django_db

SANS_ACCES = ("alpha2", "conseiller1", "admin", "commission1", "ts1")


def traces_d_alpha() -> set[str]:
    """Everything of ALPHA a page or a file of another prestataire could leak: its code and
    name, its stagiaires' names and their prescriptions' references."""
    alpha = Prestataire.objects.get(code="ALPHA")
    parcours = Parcours.objects.filter(prestataire=alpha).select_related(
        "demandeur", "ligne__prescription"
    )
    traces = {"ALPHA", alpha.raison_sociale, *STAGIAIRES_D_ALPHA}
    for p in parcours:
        traces |= {p.demandeur.nom, reference(p)}
    return traces


def traces_de_beta(beta) -> set[str]:
    return {"BETA", Prestataire.objects.get(code="BETA").raison_sociale, STAGIAIRE_DE_BETA,
            beta.reference}  # fmt: skip


def texte_xlsx(contenu) -> str:
    """Every cell of every sheet of a workbook, one per line."""
    classeur = openpyxl.load_workbook(io.BytesIO(bytes(contenu)))
    return "\n".join(
        str(valeur)
        for feuille in classeur.worksheets
        for rangee in feuille.iter_rows(values_only=True)
        for valeur in rangee
        if valeur is not None
    )


def texte(reponse) -> str:
    """What a page or a file shows."""
    type_ = reponse["Content-Type"]
    if type_ == "application/pdf":
        return texte_pdf(reponse.getvalue())
    if type_.startswith("application/vnd.openxmlformats"):
        return texte_xlsx(reponse.getvalue())
    return reponse.content.decode()


def fuites(contenu: str, traces) -> list[str]:
    return sorted(trace for trace in traces if trace in contenu)


# --- 1. An état's page and files ---------------------------------------------------------------


def urls_de_l_etat(etat):
    return {
        "page": etat.get_absolute_url(),
        "xlsx": reverse("remunerations:export", args=[etat.pk, "xlsx"]),
        "pdf": reverse("remunerations:export", args=[etat.pk, "pdf"]),
    }


TOUT = ("page", "xlsx", "pdf")
# Who opens the October état of each prestataire, and with what answer.
ACCES_ATTENDUS = {
    "ALPHA": {"alpha1": 200, "beta1": 404, "gamma1": 404, "finance1": 200, "gestionnaire1": 200,
              **dict.fromkeys(SANS_ACCES, 403)},
    "BETA": {"alpha1": 404, "beta1": 200, "gamma1": 404, "finance1": 200, "gestionnaire1": 200,
             **dict.fromkeys(SANS_ACCES, 403)},
}  # fmt: skip


@pytest.mark.pdf
@pytest.mark.parametrize("code", ACCES_ATTENDUS)
def test_l_etat_d_un_prestataire_et_ses_fichiers_ne_s_ouvrent_qu_a_sa_direction_et_a_la_del(
    demo, alpha, beta, code
):
    """Another prestataire's direction gets a 404 on the état, its XLSX and its PDF; finance
    and the gestionnaire read them; a chargé d'insertion and the rest of the DEL get a 403."""
    etat, siens, autres = {
        "ALPHA": (alpha.etat, {"WAIA"}, traces_de_beta(beta)),
        "BETA": (beta.etat, {STAGIAIRE_DE_BETA, beta.reference}, traces_d_alpha()),
    }[code]
    for username, attendu in ACCES_ATTENDUS[code].items():
        client = connecte(demo[username])
        with a(JOUR, heure=10):
            reponses = {cle: client.get(url) for cle, url in urls_de_l_etat(etat).items()}
        assert {cle: r.status_code for cle, r in reponses.items()} == dict.fromkeys(
            TOUT, attendu
        ), username
        if attendu == 200:
            assert reponses["pdf"]["Content-Type"] == "application/pdf"
            for cle, reponse in reponses.items():
                contenu = texte(reponse)
                assert siens <= set(fuites(contenu, siens)), (username, cle)
                assert fuites(contenu, autres) == [], (username, cle)


# --- 2. Lists, totals and the month's and year's files -----------------------------------------


def fichiers_du_mois_et_de_l_annee():
    return {
        f"{periode}.{format_}": reverse(nom, args=[valeur, format_])
        for periode, nom, valeur in (
            ("mois", "remunerations:export_mois", "2026-10"),
            ("annee", "remunerations:export_annee", 2026),
        )
        for format_ in ("xlsx", "pdf")
    }


FICHIERS = fichiers_du_mois_et_de_l_annee()


@pytest.mark.pdf
@pytest.mark.parametrize("fichier", FICHIERS)
def test_les_fichiers_du_mois_et_de_l_annee_d_un_prestataire_ne_tiennent_que_ses_stagiaires(
    demo, alpha, beta, fichier
):
    url = fichiers_du_mois_et_de_l_annee()[fichier]
    vus = {"beta1": ({STAGIAIRE_DE_BETA, beta.reference}, traces_d_alpha()),
           "alpha1": (set(STAGIAIRES_D_ALPHA), traces_de_beta(beta))}  # fmt: skip
    for username, (siens, autres) in vus.items():
        with a(JOUR, heure=10):
            reponse = connecte(demo[username]).get(url)
        assert reponse.status_code == 200, username
        contenu = texte(reponse)
        assert fuites(contenu, siens) == sorted(siens), (username, fichier)
        assert fuites(contenu, autres) == [], (username, fichier)
    # GAMMA had no stagiaire in 2026: its files are empty of both.
    with a(JOUR, heure=10):
        contenu = texte(connecte(demo["gamma1"]).get(url))
    assert fuites(contenu, traces_d_alpha() | traces_de_beta(beta)) == []


@pytest.mark.pdf
def test_les_fichiers_du_mois_d_un_prestataire_ne_montrent_pas_les_mois_rapproches_d_un_autre(
    demo, alpha, beta
):
    """ALPHA's reconciled September: BETA's file of September is empty of it."""
    for format_ in ("xlsx", "pdf"):
        with a(JOUR, heure=10):
            reponse = connecte(demo["beta1"]).get(
                reverse("remunerations:export_mois", args=["2026-09", format_])
            )
        assert reponse.status_code == 200
        assert fuites(texte(reponse), traces_d_alpha()) == [], format_


def test_la_synthese_d_un_prestataire_ne_montre_que_ses_totaux(demo, alpha, beta):
    for username, code, autres in (
        ("beta1", "BETA", traces_d_alpha()),
        ("alpha1", "ALPHA", traces_de_beta(beta)),
    ):
        for url in (reverse("remunerations:synthese"), reverse("remunerations:synthese")
                    + "?annee=2026"):  # fmt: skip
            with a(JOUR, heure=10):
                reponse = connecte(demo[username]).get(url)
            assert reponse.status_code == 200
            rangees = reponse.context["rangees"]
            assert rangees, (username, url)
            assert {r.etat.prestataire.code for r in rangees} == {code}, (username, url)
            assert fuites(reponse.content.decode(), autres) == [], (username, url)
    # BETA's year is its stagiaire's October (its état) and November (not opened yet).
    with a(JOUR, heure=10):
        reponse = connecte(demo["beta1"]).get(reverse("remunerations:synthese"))
        prestataire = Prestataire.objects.get(code="BETA")
        releves = calcul.releves([(prestataire, OCTOBRE), (prestataire, date(2026, 11, 1))])
    assert [r.etat for r in releves] == [beta.etat, None]
    assert releves[1].montant_du > 0
    assert reponse.context["total_du"] == releves[0].montant_du > 0
    assert [r.etat for r in reponse.context["rangees"]] == [beta.etat]


LISTE = "remunerations:index"


@pytest.mark.parametrize("filtre", ["", "?prestataire=ALPHA", "?etat=accepte", "?page=1"])
def test_la_liste_des_etats_d_un_prestataire_ne_montre_que_les_siens(demo, alpha, beta, filtre):
    """A prestataire's filter on another prestataire is ignored, never obeyed."""
    for username, code, autres in (
        ("beta1", "BETA", traces_d_alpha()),
        ("alpha1", "ALPHA", traces_de_beta(beta)),
    ):
        with a(JOUR, heure=10):
            reponse = connecte(demo[username]).get(reverse(LISTE) + filtre)
        assert reponse.status_code == 200
        etats = reponse.context["etats_page"]
        assert {etat.prestataire.code for etat in etats} <= {code}, (username, filtre)
        assert fuites(reponse.content.decode(), autres) == [], (username, filtre)
        if filtre != "?etat=accepte" or code == "ALPHA":
            assert etats, (username, filtre)
    with a(JOUR, heure=10):
        reponse = connecte(demo["beta1"]).get(reverse(LISTE))
    assert list(reponse.context["etats_page"]) == [beta.etat]


@pytest.mark.parametrize("username", ["finance1", "gestionnaire1"])
def test_la_finance_et_le_gestionnaire_voient_tous_les_prestataires(demo, alpha, beta, username):
    client = connecte(demo[username])
    with a(JOUR, heure=10):
        liste = client.get(reverse(LISTE))
        synthese = client.get(reverse("remunerations:synthese"))
        filtree = client.get(reverse(LISTE) + "?prestataire=BETA")
        pages = {"beta": client.get(beta.etat.get_absolute_url()),
                 "alpha": client.get(alpha.etat.get_absolute_url())}  # fmt: skip
    assert {e.prestataire.code for e in liste.context["etats_page"]} == {"ALPHA", "BETA"}
    assert list(filtree.context["etats_page"]) == [beta.etat]
    assert {r.etat.prestataire.code for r in synthese.context["rangees"]} == {
        "ALPHA",
        "BETA",
    }
    assert STAGIAIRE_DE_BETA in pages["beta"].content.decode()
    assert "WAIA" in pages["alpha"].content.decode()


@pytest.mark.pdf
@pytest.mark.parametrize("username", ["finance1", "gestionnaire1"])
@pytest.mark.parametrize("fichier", FICHIERS)
def test_les_fichiers_de_la_finance_et_du_gestionnaire_tiennent_tous_les_prestataires(
    demo, alpha, beta, username, fichier
):
    with a(JOUR, heure=10):
        reponse = connecte(demo[username]).get(fichiers_du_mois_et_de_l_annee()[fichier])
    assert reponse.status_code == 200
    tous = set(STAGIAIRES_D_ALPHA) | {STAGIAIRE_DE_BETA, beta.reference}
    assert fuites(texte(reponse), tous) == sorted(tous)


def pages_de_la_remuneration(etat):
    return {
        "liste": reverse(LISTE),
        "synthese": reverse("remunerations:synthese"),
        **urls_de_l_etat(etat),
        **fichiers_du_mois_et_de_l_annee(),
    }


@pytest.mark.parametrize("username", SANS_ACCES)
def test_le_charge_d_insertion_et_le_reste_de_la_del_n_ont_aucun_acces(demo, alpha, beta, username):
    client = connecte(demo[username])
    with a(JOUR, heure=10):
        reponses = {
            page: client.get(url).status_code
            for page, url in pages_de_la_remuneration(alpha.etat).items()
        }
        reponses["ouvrir"] = client.post(reverse("remunerations:ouvrir"), {"mois": "2026-11"})
    reponses["ouvrir"] = reponses["ouvrir"].status_code
    assert reponses == dict.fromkeys(reponses, 403)
    assert not EtatRemuneration.objects.filter(mois=date(2026, 11, 1)).exists()


# --- 3. Home page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "code"), [("alpha1", "ALPHA"), ("beta1", "BETA")])
def test_l_accueil_d_une_direction_ne_montre_que_ses_etats_a_declarer(
    demo, alpha, beta, username, code
):
    with a(JOUR, heure=10):
        reponse = connecte(demo[username]).get(reverse("accueil:index"))
    assert reponse.status_code == 200
    etats = {
        task.process.etat_remuneration
        for task, _ in reponse.context["taches"]
        if hasattr(task.process, "etat_remuneration")
    }
    assert etats == {{"ALPHA": alpha.etat, "BETA": beta.etat}[code]}
    autre = {"ALPHA": beta.etat, "BETA": alpha.etat}[code]
    assert autre.get_absolute_url() not in reponse.content.decode()
