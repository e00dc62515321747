"""Prestataire isolation on every action of the execution (issue requirement: "prestataire
isolation on every new page, action and file"): a prestataire's users never change another
prestataire's parcours, stages, modules or companies (a real 404), nor reach them through a
form; a chargé d'insertion acts only on the parcours assigned to them; the DEL reads everything
and writes nothing on a parcours. Each refusal has its control: the same POST succeeds for
ALPHA's rightful user.

The stories run on the demo data, with ALPHA's and BETA's things of tests/prestataires/
conftest.py."""

import pytest
from django.urls import reverse

from prestataires.enums import EtatParcours
from prestataires.models import (
    ActionPlan,
    ContactMaintien,
    Entreprise,
    Evaluation,
    ModuleCollectif,
    Parcours,
    RendezVous,
    Stage,
    Suspension,
    VisiteStage,
)
from procurement.models import TypeSortie
from tests.isolation import connecte, envoyer, etat_des_tables, introuvable_pour, refuse_a
from workflows.models import Transition

from .conftest import AUTRES_PRESTATAIRES, a, poster

pytestmark = pytest.mark.django_db

# The day the actions below are sent: KAOUMA entered on 16/11, her stage runs 07/12 – 18/12.
JOUR_DES_ACTIONS = "2026-11-25"
DEL = ("gestionnaire1", "conseiller1")


def etat_des_lieux():
    """Everything an action on a parcours, a stage or a module could change."""
    return etat_des_tables(
        Parcours, Stage, ActionPlan, Suspension, RendezVous, Evaluation, VisiteStage,
        ContactMaintien, Entreprise, ModuleCollectif.participants.through, Transition,
    )  # fmt: skip


# --- 1. Actions --------------------------------------------------------------------------------


def _sans_prefixe(**donnees):
    return donnees


def _prefixe(prefixe, **donnees):
    return {f"{prefixe}-{cle}": valeur for cle, valeur in donnees.items()}


def donnees_de(action, alpha, demo):
    """A well-formed POST of each action, as ALPHA's own staff would send it on 25/11/2026."""
    jour = JOUR_DES_ACTIONS
    stage = {
        "entreprise": alpha.autre_entreprise.pk, "objet": "decouvrir",
        "objectifs": "Découvrir la logistique", "tuteur_nom": "Sylvie Poédi",
        "debut": "2026-12-08", "fin": "2026-12-19", "heures_hebdo": 30,
        "activites_competences": "Préparation de commandes", "criteres_evaluation": "Assiduité",
    }  # fmt: skip
    formulaires = {
        # ParcoursDetailView
        "attribuer": lambda: _sans_prefixe(charge=demo["alpha3"].pk),
        "entrer": lambda: _sans_prefixe(date_premier_contact="2026-11-13", date_entree=jour),
        "projet": lambda: _prefixe("projet", projet="Vendeuse", valide_le=jour),
        "ajouter_action": lambda: _prefixe(
            "action", etape=1, intitule="Lettre de motivation", echeance="2026-12-01"
        ),
        "statut_action": lambda: _sans_prefixe(ligne=alpha.action.pk, statut="realisee"),
        "rendez_vous": lambda: _prefixe(
            "rdv", date=jour, nature="individuel", objet="Entretien de suivi"
        ),
        "evaluer": lambda: _prefixe(
            "evaluation",
            moment="intermediaire",
            date=jour,
            projet=3,
            freins=2,
            engagement=3,
            savoir_etre=3,
        ),
        "suspendre": lambda: _prefixe("suspension", debut=jour, motif="famille"),
        "reprendre": lambda: _prefixe("reprise", reprise=jour),
        "sortir": lambda: {
            **_prefixe(
                "sortie",
                date_sortie=jour,
                type_fin="anticipee",
                type_sortie=TypeSortie.objects.get(code="cdi").pk,
                motif_sortie="Embauchée",
            ),
            "confirme": "1",  # asked once (workflows/confirmation.py)
        },
        "contact_maintien": lambda: _prefixe(
            "maintien", date=jour, nature="employeur", toujours_en_emploi="on", compte_rendu="RAS"
        ),
        "clore_maintien": lambda: _prefixe("clore", motif="Emploi stable"),
        # StageDetailView
        "modifier": lambda: _prefixe("stage", **stage),
        "cocher": lambda: _prefixe("cocher", convention="on"),
        "verifier": lambda: _prefixe("verifier", verifie_le=jour),
        "demarrer": lambda: {},
        "visite": lambda: _prefixe("visite", date=jour, compte_rendu="Bonne intégration"),
        "terminer": lambda: _prefixe(
            "terminer", termine_le=jour, bilan_entreprise="Bien", rapport_stage="Projet confirmé"
        ),
        "annuler": lambda: _prefixe("annuler", motif="L'entreprise se désiste"),
        # ModuleDetailView
        "inscrire": lambda: _sans_prefixe(parcours=[alpha.parcours.pk]),
        "retirer": lambda: _sans_prefixe(parcours=alpha.parcours.pk),
    }
    return {"action": action, **formulaires[action]()}


ACTIONS_PARCOURS = (
    "attribuer", "entrer", "projet", "ajouter_action", "statut_action", "rendez_vous",
    "evaluer", "suspendre", "reprendre", "sortir", "contact_maintien", "clore_maintien",
)  # fmt: skip
ACTIONS_STAGE = ("modifier", "cocher", "verifier", "demarrer", "visite", "terminer", "annuler")
ACTIONS_MODULE = ("inscrire", "retirer")
TOUTES_LES_ACTIONS = (
    [("parcours", action) for action in ACTIONS_PARCOURS]
    + [("stage", action) for action in ACTIONS_STAGE]
    + [("module", action) for action in ACTIONS_MODULE]
)
# The actions a rightful user can do in the state the fixture leaves: the same POSTs succeed
# for them (see the last test of this section), so a refusal below is the isolation's.
VALIDES_MAINTENANT = {
    "attribuer": "alpha1", "projet": "alpha2", "ajouter_action": "alpha2",
    "statut_action": "alpha2", "rendez_vous": "alpha2", "evaluer": "alpha2",
    "suspendre": "alpha2", "sortir": "alpha2", "modifier": "alpha2", "cocher": "alpha2",
    "verifier": "alpha2", "annuler": "alpha2", "retirer": "alpha2",
}  # fmt: skip


def url_de(objet, alpha):
    return {
        "parcours": reverse("parcours:detail", args=[alpha.parcours.pk]),
        "stage": reverse("parcours:stage", args=[alpha.stage.pk]),
        "module": reverse("modules:detail", args=[alpha.module.pk]),
    }[objet]


def test_les_actions_testees_sont_toutes_celles_des_vues():
    from prestataires.views import ModuleDetailView, ParcoursDetailView, StageDetailView

    assert ParcoursDetailView.actions == ACTIONS_PARCOURS
    assert StageDetailView.actions == ACTIONS_STAGE
    assert ModuleDetailView.actions == ACTIONS_MODULE


@pytest.mark.parametrize(("objet", "action"), TOUTES_LES_ACTIONS)
def test_une_action_d_un_autre_prestataire_sur_alpha_repond_404_et_ne_change_rien(
    demo, alpha, objet, action
):
    """beta1 and gamma1 on ALPHA's parcours, stage and module; alpha3 on a parcours and stage
    not assigned to them."""
    url, donnees = url_de(objet, alpha), donnees_de(action, alpha, demo)
    intrus = [*AUTRES_PRESTATAIRES, *(["alpha3"] if objet != "module" else [])]
    avant = etat_des_lieux()
    with a(JOUR_DES_ACTIONS, heure=10):
        introuvable_pour(demo, intrus, url, donnees)
    assert etat_des_lieux() == avant


@pytest.mark.parametrize("action", ACTIONS_MODULE)
def test_un_charge_ne_touche_pas_dans_un_module_partage_aux_personnes_qu_il_ne_suit_pas(
    client, demo, alpha, action
):
    """alpha3 opens ALPHA's module, but cannot enrol nor remove KAOUMA, whom they don't
    follow."""
    avant = etat_des_lieux()
    client.force_login(demo["alpha3"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse, _, succes = envoyer(
            client, url_de("module", alpha), donnees_de(action, alpha, demo)
        )
    # Enrolling: KAOUMA is not among the people alpha3 may enrol; removing: not found.
    assert (reponse.status_code, succes) == ({"inscrire": 400, "retirer": 404}[action], [])
    assert etat_des_lieux() == avant
    assert list(alpha.module.participants.all()) == [alpha.parcours]


@pytest.mark.parametrize(("objet", "action"), TOUTES_LES_ACTIONS)
def test_la_del_lit_mais_aucune_action_ne_change_le_parcours(demo, alpha, objet, action):
    url, donnees = url_de(objet, alpha), donnees_de(action, alpha, demo)
    avant = etat_des_lieux()
    for username in DEL:
        with a(JOUR_DES_ACTIONS, heure=10):
            reponse, erreurs, succes = envoyer(connecte(demo[username]), url, donnees)
        refuse_a(username, reponse, erreurs, succes)
    assert etat_des_lieux() == avant


def test_seul_le_charge_ou_la_direction_d_alpha_enregistre_l_entree_de_kaouma(demo, kaouma,
                                                                           alpha3):  # fmt: skip
    """The entry, on a parcours waiting for it: another prestataire and the unassigned chargé
    get a 404, the DEL a refusal; alpha2 then records it."""
    url = kaouma.get_absolute_url()
    donnees = {
        "action": "entrer",
        "date_premier_contact": "2026-11-13",
        "date_entree": "2026-11-16",
    }
    avant = etat_des_lieux()
    with a("2026-11-16"):
        for username, attendu in (("beta1", 404), ("gamma1", 404), ("alpha3", 404),
                                  ("gestionnaire1", 302), ("conseiller1", 302)):  # fmt: skip
            reponse, erreurs, succes = envoyer(connecte(demo[username]), url, donnees)
            assert (username, reponse.status_code, succes) == (username, attendu, [])
            assert bool(erreurs) is (attendu == 302), (username, erreurs)
        assert etat_des_lieux() == avant
        poster(connecte(demo["alpha2"]), url, **donnees)
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.EN_COURS


@pytest.mark.parametrize("action", VALIDES_MAINTENANT)
def test_les_memes_envois_reussissent_pour_alpha(client, demo, alpha, action):
    """The control of the tests above: their POSTs are well formed and allowed in the
    parcours' state, so what refused them was who sent them."""
    objet = next(o for o, nom in TOUTES_LES_ACTIONS if nom == action)
    client.force_login(demo[VALIDES_MAINTENANT[action]])
    avant = etat_des_lieux()
    with a(JOUR_DES_ACTIONS, heure=10):
        poster(client, url_de(objet, alpha), **donnees_de(action, alpha, demo))
    assert etat_des_lieux() != avant


# --- 2. Forms cannot reach another prestataire's things ----------------------------------------


def stage_refuse(client, parcours, donnees):
    """A stage of `parcours` prepared with `donnees`: the page comes back, the company refused."""
    reponse = client.post(reverse("parcours:stage_add", args=[parcours.pk]), donnees)
    assert reponse.status_code == 200
    assert "entreprise" in reponse.context["form"].errors
    return reponse


def inscription_refusee(client, module, parcours):
    """`parcours` enrolled in `module`: refused on the form (400), nothing done."""
    reponse, _, succes = envoyer(
        client, module.get_absolute_url(), {"action": "inscrire", "parcours": [parcours.pk]}
    )
    assert (reponse.status_code, succes) == (400, [])
    return reponse


def test_un_stage_ne_se_prepare_pas_dans_une_entreprise_d_un_autre_prestataire(
    client, demo, alpha, beta
):
    donnees = {key.removeprefix("stage-"): valeur
               for key, valeur in donnees_de("modifier", alpha, demo).items()}  # fmt: skip
    avant = etat_des_lieux()

    client.force_login(demo["alpha1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse = stage_refuse(
            client, alpha.parcours, {**donnees, "entreprise": beta.entreprise.pk}
        )
        assert "Menuiserie Beta" not in reponse.content.decode()
        # Nor can an existing convention be moved to BETA's company.
        modifier = {**donnees_de("modifier", alpha, demo), "stage-entreprise": beta.entreprise.pk}
        reponse = client.post(reverse("parcours:stage", args=[alpha.stage.pk]), modifier)
        assert reponse.status_code == 400
        assert "entreprise" in reponse.context["forms"]["modifier"].errors

    client.force_login(demo["beta1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        stage_refuse(client, beta.parcours, {**donnees, "entreprise": alpha.entreprise.pk})
    assert etat_des_lieux() == avant


def test_un_module_n_inscrit_pas_le_parcours_d_un_autre_prestataire(client, demo, alpha, beta):
    avant = etat_des_lieux()
    client.force_login(demo["alpha1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse = inscription_refusee(client, alpha.module, beta.parcours)
        assert "parcours" in reponse.context["form"].errors
        assert "SIMUTOGA" not in reponse.content.decode()

    client.force_login(demo["beta1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse = inscription_refusee(client, beta.module, alpha.parcours)
        assert "KAOUMA" not in reponse.content.decode()
        # Nor removed from ALPHA's module, through BETA's.
        reponse, _, succes = envoyer(
            client, beta.module.get_absolute_url(),
            {"action": "retirer", "parcours": alpha.parcours.pk},
        )  # fmt: skip
        assert (reponse.status_code, succes) == (404, [])
    assert etat_des_lieux() == avant
    assert list(alpha.module.participants.all()) == [alpha.parcours]
    assert not beta.module.participants.exists()


def test_un_rendez_vous_ne_se_rattache_pas_au_module_d_un_autre_prestataire(
    client, demo, alpha, beta
):
    avant = etat_des_lieux()
    client.force_login(demo["alpha2"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse, _, succes = envoyer(client, alpha.parcours.get_absolute_url(), {
            **donnees_de("rendez_vous", alpha, demo), "rdv-nature": "collectif",
            "rdv-module": beta.module.pk,
        })  # fmt: skip
    assert (reponse.status_code, succes) == (400, [])
    assert "module" in reponse.context["forms"]["rendez_vous"].errors
    assert etat_des_lieux() == avant
    assert not beta.module.rendez_vous.exists()


def test_un_parcours_ne_se_confie_pas_a_l_utilisateur_d_un_autre_prestataire(client, demo, alpha):
    avant = etat_des_lieux()
    client.force_login(demo["alpha1"])
    for username in ("beta1", "gestionnaire1"):
        reponse, _, succes = envoyer(
            client,
            alpha.parcours.get_absolute_url(),
            {"action": "attribuer", "charge": demo[username].pk},
        )
        assert (reponse.status_code, succes) == (400, [])
        assert "charge" in reponse.context["forms"]["attribuer"].errors
    assert etat_des_lieux() == avant


def test_une_entreprise_d_un_autre_prestataire_ne_se_modifie_pas(client, demo, alpha, beta):
    avant = etat_des_lieux()
    client.force_login(demo["beta1"])
    reponse = client.post(
        reverse("entreprises:change", args=[alpha.entreprise.pk]),
        {"raison_sociale": "Prise par BETA", "ridet": "0123456.001", "contact_nom": "Bruno"},
    )
    assert reponse.status_code == 404
    assert etat_des_lieux() == avant


def test_une_action_d_alpha_ne_se_modifie_pas_depuis_un_parcours_de_beta(demo, alpha, beta):
    """beta1 names, on BETA's own parcours, the id of an action of KAOUMA's plan."""
    avant = etat_des_lieux()
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse, _, succes = envoyer(
            connecte(demo["beta1"]),
            beta.parcours.get_absolute_url(),
            {"action": "statut_action", "ligne": alpha.action.pk, "statut": "abandonnee"},
        )
    assert (reponse.status_code, succes) == (404, [])
    assert etat_des_lieux() == avant


def test_le_repertoire_d_un_prestataire_ne_revele_pas_celui_d_un_autre(client, demo, alpha):
    """BETA registers a company under the RIDET of ALPHA's bakery: the RIDET is unique in each
    register, so it is accepted, and nothing of ALPHA's register shows."""
    client.force_login(demo["beta1"])
    donnees = {"raison_sociale": "Boulangerie Beta", "ridet": "0123456.001", "contact_nom": "Bruno"}
    reponse = client.post(reverse("entreprises:add"), donnees)
    assert reponse.status_code == 302, reponse.context["form"].errors
    assert Entreprise.objects.get(raison_sociale="Boulangerie Beta").prestataire.code == "BETA"
    assert "Quartier Latin" not in client.get(reverse("entreprises:index")).content.decode()
