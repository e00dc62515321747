"""Prestataire isolation on every action on the états de rémunération (docs/domaine.md: "a
prestataire's users see only their own organisation's orders, parcours and bilans [...] This is
a hard security boundary"): a prestataire's direction never changes another prestataire's état
(a real 404), opens months for its own prestataire only, and regularises its own stagiaires
only; finance reconciles and declares nothing, the gestionnaire reconciles nothing. Each refusal
has its control: the same POST succeeds for whoever may do it.

The stories run on the demo data, with ALPHA's and BETA's October états of
tests/remunerations/conftest.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from procurement.models import Prestataire
from remunerations import calcul, services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration, LigneRemuneration
from tests.isolation import connecte, envoyer, etat_des_tables, introuvable_pour, refuse_a
from workflows.models import Notification, Transition

from .conftest import JOUR, a, declarer_le_du, placer_stagiaire

pytestmark = pytest.mark.django_db


def etat_des_lieux():
    """Everything an action on an état could change."""
    return etat_des_tables(EtatRemuneration, LigneRemuneration, Transition, Notification)


# --- 1. Actions on an état ---------------------------------------------------------------------

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
            "regularisation-parcours": parcours_rapproche.ligne.prescription.reference,
            "regularisation-mois": "2026-09",
            "regularisation-absences_heures": "3",
        }
    if action == "renvoyer":
        premiere = services.cle(calcul.releve(etat).lignes[0])
        return {"action": action, f"renvoi-n_{premiere}": "Le montant versé ne suit pas le dû."}
    return {"action": action, "confirme": "1"}  # accepting, confirmed


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


def introuvable_aux_autres(demo, action, etat, direction, intrus, parcours_rapproche):
    """The action sent on `etat` (in the state it expects) by the other prestataires'
    directions: a 404 each, and nothing changes."""
    etat = dans_l_etat_de(action, etat, demo[direction])
    donnees = donnees_de(action, etat, parcours_rapproche)
    avant = etat_des_lieux()
    with a(JOUR, heure=10):
        introuvable_pour(demo, intrus, etat.get_absolute_url(), donnees)
    assert etat_des_lieux() == avant


@pytest.mark.parametrize("action", ACTIONS)
def test_une_action_d_un_autre_prestataire_sur_l_etat_d_alpha_repond_404_et_ne_change_rien(
    demo, alpha, beta, action
):
    introuvable_aux_autres(
        demo, action, alpha.etat, "alpha1", ("beta1", "gamma1"), alpha.parcours["WAIA"]
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_une_action_d_alpha_sur_l_etat_de_beta_repond_404_et_ne_change_rien(
    demo, alpha, beta, action
):
    # ALPHA names its own reconciled stagiaire: BETA's état must not take it either.
    introuvable_aux_autres(
        demo, action, beta.etat, "beta1", ("alpha1", "gamma1"), alpha.parcours["WAIA"]
    )


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
        refuse_a(username, reponse, erreurs, succes)
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


# --- 2. Opening a month, and the regularisation form -------------------------------------------


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
