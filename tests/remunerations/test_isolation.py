"""Prestataire isolation on every page, action and file of the états de rémunération
(docs/domaine.md: "a prestataire's users see only their own organisation's orders, parcours and
bilans [...] This is a hard security boundary, tested on every view, export and API
endpoint"): a prestataire's direction never sees nor changes another prestataire's état, its
lines or its stagiaires (a real 404, never a 403 that would confirm the état exists), and its
month and year files and totals hold its own stagiaires only; finance reconciles and reads
everything, the gestionnaire reads everything and reconciles nothing, finance declares
nothing; a chargé d'insertion and the rest of the DEL have no access at all.

The stories run on the demo data seeded on 24/11/2026 (ALPHA's August and September are
reconciled, its October is declared and waits to be submitted), with a stagiaire of BETA
entered on 5 October 2026 and BETA's October état opened."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task

from prestataires.models import Parcours
from procurement.models import Prestataire
from remunerations import calcul, services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration, LigneRemuneration
from tests.bons_de_commande.conftest import texte_pdf
from workflows.models import Notification, Transition

from .conftest import a, declarer_le_du, placer_stagiaire

pytestmark = pytest.mark.django_db

# The day the pages are read and the actions sent.
JOUR = "2026-11-24"
OCTOBRE = date(2026, 10, 1)
# ALPHA's stagiaires of the demo, paid from August 2026.
STAGIAIRES_D_ALPHA = ("WAIA", "OUNEMOA", "GOPOEA")
# BETA's stagiaire, entered on 5 October 2026.
STAGIAIRE_DE_BETA = "SIWENE"
SANS_ACCES = ("alpha2", "conseiller1", "admin", "commission1", "ts1")


# --- The data ----------------------------------------------------------------------------------


@pytest.fixture
def alpha(demo):
    """ALPHA's October état (declared, not submitted) and its stagiaires."""
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)
    assert etat.etat == EtatDeclaration.BROUILLON
    parcours = Parcours.objects.filter(
        prestataire__code="ALPHA", demandeur__nom__in=STAGIAIRES_D_ALPHA
    )
    assert parcours.count() == 3
    return SimpleNamespace(etat=etat, parcours={p.demandeur.nom: p for p in parcours})


@pytest.fixture
def beta(demo):
    """BETA's stagiaire entered on 5 October 2026, and BETA's October état opened for it."""
    with a(JOUR):
        parcours = placer_stagiaire("BETA", date(2026, 10, 5), nom=STAGIAIRE_DE_BETA)
        etat = services.ouvrir_etat(Prestataire.objects.get(code="BETA"), OCTOBRE)
    assert etat.prestataire.code == "BETA"
    assert [ligne.nom for ligne in calcul.releve(etat).lignes] == [STAGIAIRE_DE_BETA]
    return SimpleNamespace(etat=etat, parcours=parcours, reference=reference(parcours))


def reference(parcours) -> str:
    return calcul.calculer(parcours, OCTOBRE, Decimal(0)).reference


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


def connecte(user) -> Client:
    """A browser of its own for each user: no message left by another's request."""
    client = Client()
    client.force_login(user)
    return client


def envoyer(client, url, donnees):
    """POST, and the error and success messages it left."""
    reponse = client.post(url, donnees)
    messages = list(get_messages(reponse.wsgi_request))
    erreurs = [m.message for m in messages if m.level_tag == "error"]
    succes = [m.message for m in messages if m.level_tag == "success"]
    return reponse, erreurs, succes


def etat_des_lieux():
    """Everything an action on an état could change."""
    lieux = {
        modele._meta.label: list(modele.objects.order_by("pk").values())
        for modele in (EtatRemuneration, LigneRemuneration, Transition, Notification)
    }
    lieux["taches"] = list(Task.objects.order_by("pk").values("pk", "status", "owner_id"))
    return lieux


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


# --- 2. Actions on an état ---------------------------------------------------------------------


ACTIONS = ("declarer", "soumettre", "regulariser", "renvoyer", "accepter")
DE_LA_DIRECTION = ("declarer", "soumettre", "regulariser")
DE_LA_FINANCE = ("renvoyer", "accepter")


def test_les_actions_testees_sont_toutes_celles_de_la_vue():
    from remunerations.views import EtatDetailView

    assert EtatDetailView.actions == ACTIONS


def declarations(etat):
    """The declaration form as the direction would send it: every line paid what is due,
    with its cover."""
    donnees = {"version": etat.version}
    for ligne in calcul.releve(etat).lignes:
        k = services.cle(ligne)
        donnees |= {
            f"h_{k}": str(ligne.absences_heures),
            f"d_{k}": ligne.montant_du,
            f"c_{k}": round(ligne.montant_du * Decimal("0.0645")),
        }
    return donnees


def donnees_de(action, etat, parcours_rapproche=None):
    """A well-formed POST of each action on the état, in the state where it is allowed."""
    etat.refresh_from_db()
    if action in ("declarer", "soumettre"):
        return {"action": action, **declarations(etat)}
    if action == "regulariser":
        return {
            "action": action,
            "regularisation-parcours": parcours_rapproche.pk,
            "regularisation-mois": "2026-09",
            "regularisation-absences_heures": "3",
        }
    if action == "renvoyer":
        premiere = services.cle(calcul.releve(etat).lignes[0])
        return {"action": action, f"renvoi-n_{premiere}": "Le montant versé ne suit pas le dû."}
    return {"action": action}


def soumettre(etat, direction):
    """The direction declares every line (if needed) and submits the état."""
    with a(JOUR, heure=9):
        if not calcul.releve(etat).complet:
            declarer_le_du(etat, direction)
        services.soumettre(etat, par=direction)
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.SOUMIS


def dans_l_etat_de(action, etat, direction):
    """The état as the action expects it: open to the direction, or submitted to finance."""
    if action in DE_LA_FINANCE:
        soumettre(etat, direction)
    return etat


@pytest.mark.parametrize("action", ACTIONS)
def test_une_action_d_un_autre_prestataire_sur_l_etat_d_alpha_repond_404_et_ne_change_rien(
    demo, alpha, beta, action
):
    etat = dans_l_etat_de(action, alpha.etat, demo["alpha1"])
    donnees = donnees_de(action, etat, alpha.parcours["WAIA"])
    avant = etat_des_lieux()
    for username in ("beta1", "gamma1"):
        with a(JOUR, heure=10):
            reponse, _, succes = envoyer(connecte(demo[username]), etat.get_absolute_url(), donnees)
        assert (username, reponse.status_code, succes) == (username, 404, [])
    assert etat_des_lieux() == avant


@pytest.mark.parametrize("action", ACTIONS)
def test_une_action_d_alpha_sur_l_etat_de_beta_repond_404_et_ne_change_rien(
    demo, alpha, beta, action
):
    etat = dans_l_etat_de(action, beta.etat, demo["beta1"])
    # ALPHA names its own reconciled stagiaire: BETA's état must not take it either.
    donnees = donnees_de(action, etat, alpha.parcours["WAIA"])
    avant = etat_des_lieux()
    for username in ("alpha1", "gamma1"):
        with a(JOUR, heure=10):
            reponse, _, succes = envoyer(connecte(demo[username]), etat.get_absolute_url(), donnees)
        assert (username, reponse.status_code, succes) == (username, 404, [])
    assert etat_des_lieux() == avant


# The DEL users who may read the état but not do the action.
REFUS_DE_LA_DEL = {
    "declarer": ("finance1", "gestionnaire1"),
    "soumettre": ("finance1", "gestionnaire1"),
    "regulariser": ("finance1", "gestionnaire1"),
    "renvoyer": ("gestionnaire1",),
    "accepter": ("gestionnaire1",),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_la_finance_ne_declare_pas_et_le_gestionnaire_ne_rapproche_pas(demo, alpha, action):
    """Finance neither declares nor submits a prestataire's état, the gestionnaire only reads:
    each is refused, with an error message or a 403, and nothing changes."""
    etat = dans_l_etat_de(action, alpha.etat, demo["alpha1"])
    donnees = donnees_de(action, etat, alpha.parcours["WAIA"])
    avant = etat_des_lieux()
    for username in REFUS_DE_LA_DEL[action]:
        with a(JOUR, heure=10):
            reponse, erreurs, succes = envoyer(
                connecte(demo[username]), etat.get_absolute_url(), donnees
            )
        assert not succes, (username, succes)
        if reponse.status_code == 302:
            assert erreurs, (username, "redirect without an error message")
            assert "/accounts/login/" not in reponse.url
        else:
            assert reponse.status_code in (400, 403), (username, reponse.status_code)
    assert etat_des_lieux() == avant


# Who does each action rightfully.
AUTEURS = dict.fromkeys(DE_LA_DIRECTION, "alpha1") | dict.fromkeys(DE_LA_FINANCE, "finance1")


@pytest.mark.parametrize("action", ACTIONS)
def test_les_memes_envois_reussissent_pour_qui_y_a_droit(demo, alpha, action):
    """The control of the tests above: their POSTs are well formed and allowed in the état's
    state, so what refused them was who sent them."""
    etat = dans_l_etat_de(action, alpha.etat, demo["alpha1"])
    donnees = donnees_de(action, etat, alpha.parcours["WAIA"])
    avant = etat_des_lieux()
    with a(JOUR, heure=10):
        reponse, erreurs, succes = envoyer(
            connecte(demo[AUTEURS[action]]), etat.get_absolute_url(), donnees
        )
    assert (reponse.status_code, erreurs) == (302, []), getattr(reponse, "context", None)
    assert succes
    assert etat_des_lieux() != avant


# --- 3. Lists, totals and the month's and year's files ----------------------------------------


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
            assert {r["releve"].prestataire.code for r in rangees} == {code}, (username, url)
            assert fuites(reponse.content.decode(), autres) == [], (username, url)
    # BETA's year is its stagiaire's October (its état) and November (not opened yet).
    with a(JOUR, heure=10):
        reponse = connecte(demo["beta1"]).get(reverse("remunerations:synthese"))
        prestataire = Prestataire.objects.get(code="BETA")
        releves = calcul.releves([(prestataire, OCTOBRE), (prestataire, date(2026, 11, 1))])
    assert [r.etat for r in releves] == [beta.etat, None]
    assert reponse.context["total_du"] == sum(r.montant_du for r in releves) > 0


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
    assert {r["releve"].prestataire.code for r in synthese.context["rangees"]} == {
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


# --- 4. Opening a month, and the regularisation form -------------------------------------------


@pytest.mark.parametrize(("username", "code"), [("alpha1", "ALPHA"), ("beta1", "BETA")])
def test_une_direction_n_ouvre_que_les_mois_de_son_propre_prestataire(
    demo, alpha, beta, username, code
):
    """Whatever the POST names, the month opened is the user's own prestataire's."""
    autres = Prestataire.objects.exclude(code=code)
    avant = {p.code: list(p.etats_remuneration.values()) for p in autres}
    client = connecte(demo[username])
    with a(JOUR, heure=10):
        reponse = client.post(
            reverse("remunerations:ouvrir"),
            {"mois": "2026-11", "prestataire": autres[0].pk, "prestataire_id": autres[0].pk},
        )
    assert reponse.status_code == 302
    novembre = EtatRemuneration.objects.get(mois=date(2026, 11, 1))
    assert novembre.prestataire.code == code
    assert reponse.url == novembre.get_absolute_url()
    assert {p.code: list(p.etats_remuneration.values()) for p in autres} == avant


@pytest.mark.parametrize("username", ["finance1", "gestionnaire1"])
def test_la_del_n_ouvre_pas_de_mois_pour_un_prestataire(demo, alpha, beta, username):
    avant = etat_des_lieux()
    with a(JOUR, heure=10):
        reponse = connecte(demo[username]).post(
            reverse("remunerations:ouvrir"),
            {"mois": "2026-11", "prestataire": Prestataire.objects.get(code="BETA").pk},
        )
    assert reponse.status_code == 403
    assert etat_des_lieux() == avant


@pytest.fixture
def beta_rapproche(demo, beta):
    """A second BETA stagiaire, entered on 7 September 2026: BETA's September is declared,
    submitted and reconciled, so that its October état takes regularisations."""
    with a(JOUR, heure=8):
        parcours = placer_stagiaire("BETA", date(2026, 9, 7), nom="WAKAINE")
        septembre = services.ouvrir_etat(Prestataire.objects.get(code="BETA"), date(2026, 9, 1))
    soumettre(septembre, demo["beta1"])
    with a(JOUR, heure=9):
        services.accepter(septembre, par=demo["finance1"])
    septembre.refresh_from_db()
    assert septembre.etat == EtatDeclaration.ACCEPTE
    assert calcul.premiers_etats_ouverts([beta.etat.prestataire_id]) == {
        beta.etat.prestataire_id: beta.etat.pk
    }
    return parcours


@pytest.mark.parametrize("username", ["beta1", "alpha1"])
def test_la_regularisation_ne_propose_ni_n_accepte_le_parcours_d_un_autre_prestataire(
    demo, alpha, beta, beta_rapproche, username
):
    """Each direction's regularisation form offers its own stagiaires only; naming the other
    prestataire's reconciled parcours is refused on the field, and nothing is written."""
    etat, propre, autre = {
        "beta1": (beta.etat, beta_rapproche, alpha.parcours["WAIA"]),
        "alpha1": (alpha.etat, alpha.parcours["WAIA"], beta_rapproche),
    }[username]
    client = connecte(demo[username])
    with a(JOUR, heure=10):
        page = client.get(etat.get_absolute_url())
    form = page.context["form_regularisation"]
    assert form is not None
    choix = list(form.fields["parcours"].queryset)
    assert propre in choix
    assert {p.prestataire_id for p in choix} == {etat.prestataire_id}
    assert autre.demandeur.nom not in page.content.decode()

    avant = etat_des_lieux()
    with a(JOUR, heure=10):
        reponse, _, succes = envoyer(client, etat.get_absolute_url(),
                                     donnees_de("regulariser", etat, autre))  # fmt: skip
    assert (reponse.status_code, succes) == (400, [])
    assert "parcours" in reponse.context["form_regularisation"].errors
    assert autre.demandeur.nom not in reponse.content.decode()
    assert etat_des_lieux() == avant

    # The control: the same POST with the direction's own reconciled stagiaire is taken.
    with a(JOUR, heure=10):
        poste = donnees_de("regulariser", etat, propre)
        reponse, erreurs, succes = envoyer(client, etat.get_absolute_url(), poste)
    assert (reponse.status_code, erreurs) == (302, [])
    assert LigneRemuneration.objects.filter(
        etat=etat, parcours=propre, mois=date(2026, 9, 1)
    ).exists()


def test_la_regularisation_ne_s_ecrit_pas_par_le_service_sur_le_parcours_d_un_autre(
    demo, alpha, beta, beta_rapproche
):
    """Below the form, the service itself refuses a stagiaire of ALPHA on BETA's état."""
    avant = etat_des_lieux()
    with a(JOUR, heure=10), pytest.raises((PermissionDenied, ValidationError)):
        services.regulariser(
            beta.etat,
            par=demo["beta1"],
            parcours=alpha.parcours["WAIA"],
            mois=date(2026, 9, 1),
            absences_heures=Decimal(3),
        )
    assert etat_des_lieux() == avant


# --- 5. Home page ------------------------------------------------------------------------------


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
