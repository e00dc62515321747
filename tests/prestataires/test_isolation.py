"""Prestataire isolation on every page, action and file of the execution (issue requirement:
"prestataire isolation on every new page, action and file"): a prestataire's users never see
nor change another prestataire's parcours, stages, modules or companies (a real 404, never a
403 that would confirm the record exists); a chargé d'insertion sees only the parcours assigned
to them; the DEL reads everything and writes nothing on a parcours.

The stories run on the demo data, with KAOUMA's parcours at ALPHA entered, in a module, with a
plan d'action, a rendez-vous, an evaluation and a stage in preparation (its checks ticked), and
a second chargé d'insertion of ALPHA, alpha3, to whom nothing is assigned."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task

from accounts.roles import Role
from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from prestataires import services, stages
from prestataires.enums import EtatParcours, EtatStage
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
from procurement.models import Commune, Prestataire, TypeSortie
from tests.bons_de_commande.conftest import texte_pdf
from tests.factories import UserFactory
from workflows.models import Transition

from .conftest import a, poster

pytestmark = pytest.mark.django_db

# The day the actions below are sent: KAOUMA entered on 16/11, her stage runs 07/12 – 18/12.
JOUR_DES_ACTIONS = "2026-11-25"
DEL = ("gestionnaire1", "conseiller1")
AUTRES_PRESTATAIRES = ("beta1", "gamma1")


# --- The ALPHA data and the others' ------------------------------------------------------------


@pytest.fixture
def alpha3(demo):
    """A second chargé d'insertion of ALPHA, to whom no parcours is assigned."""
    demo["alpha3"] = UserFactory(
        username="alpha3",
        first_name="Anne",
        last_name="Sansdossier",
        prestataire=Prestataire.objects.get(code="ALPHA"),
        role=Role.PRESTATAIRE_CHARGE,
    )
    return demo["alpha3"]


@pytest.fixture
def alpha(demo, kaouma, alpha3):
    """KAOUMA's parcours at ALPHA, entered on 16/11/2026 and followed by alpha2: in ALPHA's
    module, with an action, a collective rendez-vous, an entry evaluation and a stage at the
    Boulangerie du Quartier Latin (07/12 – 18/12) whose checks are ticked."""
    alpha2 = demo["alpha2"]
    module = ModuleCollectif.objects.get(intitule="Atelier techniques de recherche d'emploi")
    boulangerie = Entreprise.objects.get(raison_sociale="Boulangerie du Quartier Latin")
    with a("2026-11-16"):
        services.entrer(kaouma, par=alpha2, date_premier_contact=date(2026, 11, 13),
                    date_entree=date(2026, 11, 16))  # fmt: skip
    with a("2026-11-17"):
        services.inscrire_au_module(module, [kaouma], par=alpha2)
        action = services.ajouter_action(
            kaouma, par=alpha2, etape=1, intitule="Refaire le CV", echeance=date(2026, 11, 30)
        )
        services.noter_rendez_vous(
            kaouma, par=alpha2, date=date(2026, 11, 17), nature="collectif", module=module,
            objet="Atelier CV",
        )  # fmt: skip
        services.evaluer(
            kaouma, par=alpha2, moment="entree", date=date(2026, 11, 17), projet=2, freins=1,
            engagement=3, savoir_etre=2,
        )  # fmt: skip
    with a("2026-11-20"):
        stage = stages.preparer_stage(
            kaouma,
            par=alpha2,
            entreprise=boulangerie,
            objet="confirmer",
            objectifs="Confirmer le projet de vente",
            tuteur_nom="Jacques Tein",
            debut=date(2026, 12, 7),
            fin=date(2026, 12, 18),
            heures_hebdo=35,
            activites_competences="Mise en rayon, encaissement",
            criteres_evaluation="Ponctualité, relation client",
        )
        stages.cocher_verifications(stage, par=alpha2, conditions_accueil=True, convention=True)
    kaouma.refresh_from_db()
    stage.refresh_from_db()
    assert (kaouma.etat, kaouma.charge, stage.etat) == (
        EtatParcours.EN_COURS,
        alpha2,
        EtatStage.PREPARATION,
    )
    return SimpleNamespace(
        parcours=kaouma,
        stage=stage,
        module=module,
        entreprise=boulangerie,
        autre_entreprise=Entreprise.objects.get(raison_sociale__startswith="Transports"),
        action=action,
    )


@pytest.fixture
def beta(demo):
    """BETA's own things: SIMUTOGA's parcours (BETA's demo order, issued and acknowledged,
    SIMUTOGA entered on 16/11/2026), a host company and a collective module."""
    prestataire = Prestataire.objects.get(code="BETA")
    bon = BonDeCommande.objects.get(
        prestataire=prestataire, lignes__prescription__demandeur__nom="SIMUTOGA"
    )
    with a("2026-11-16"):
        commandes.emettre(bon, par=demo["gestionnaire1"])
        commandes.accuser(bon, par=demo["beta1"])
        parcours = Parcours.objects.get(demandeur__nom="SIMUTOGA")
        services.entrer(parcours, par=demo["beta1"], date_premier_contact=date(2026, 11, 16),
                    date_entree=date(2026, 11, 16))  # fmt: skip
    parcours.refresh_from_db()
    assert (parcours.prestataire, parcours.etat) == (prestataire, EtatParcours.EN_COURS)
    entreprise = Entreprise.objects.create(
        prestataire=prestataire,
        raison_sociale="Menuiserie Beta du Mont-Dore",
        ridet="0777777.001",
        commune=Commune.objects.get(code="noumea"),
        contact_nom="Paul Wéa",
    )
    module = ModuleCollectif.objects.create(
        prestataire=prestataire,
        intitule="Atelier Beta savoir-être",
        debut=date(2026, 11, 16),
        fin=date(2026, 12, 18),
        cree_par=demo["beta1"],
    )
    return SimpleNamespace(parcours=parcours, entreprise=entreprise, module=module)


def etat_des_lieux():
    """Everything an action on a parcours, a stage or a module could change."""
    tables = (
        Parcours, Stage, ActionPlan, Suspension, RendezVous, Evaluation, VisiteStage,
        ContactMaintien, Entreprise, ModuleCollectif.participants.through, Transition,
    )  # fmt: skip
    lieux = {modele._meta.label: list(modele.objects.order_by("pk").values()) for modele in tables}
    lieux["taches"] = list(Task.objects.order_by("pk").values("pk", "status", "owner_id"))
    return lieux


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


# --- 1. Pages and files ------------------------------------------------------------------------

PAGES = ("parcours", "stage", "stage_add", "convention", "module", "entreprise")
TOUT_200 = dict.fromkeys(PAGES, 200)
TOUT_404 = dict.fromkeys(PAGES, 404)
ACCES_ATTENDUS = {
    "alpha1": TOUT_200,
    "alpha2": TOUT_200,
    # ALPHA's module and register are shared by its staff; KAOUMA's parcours is not alpha3's.
    "alpha3": {**TOUT_404, "module": 200, "entreprise": 200},
    "beta1": TOUT_404,
    "gamma1": TOUT_404,
    # The DEL reads the parcours, its stage and its convention, prepares no stage and does not
    # edit the prestataire's register.
    "gestionnaire1": {**TOUT_200, "stage_add": 403, "entreprise": 403},
    "conseiller1": {**TOUT_200, "stage_add": 403, "entreprise": 403},
}


def urls_des_pages(alpha):
    return {
        "parcours": reverse("parcours:detail", args=[alpha.parcours.pk]),
        "stage": reverse("parcours:stage", args=[alpha.stage.pk]),
        "stage_add": reverse("parcours:stage_add", args=[alpha.parcours.pk]),
        "convention": reverse("parcours:convention", args=[alpha.stage.pk]),
        "module": reverse("modules:detail", args=[alpha.module.pk]),
        "entreprise": reverse("entreprises:change", args=[alpha.entreprise.pk]),
    }


@pytest.mark.pdf
@pytest.mark.parametrize("username", ACCES_ATTENDUS)
def test_chaque_page_et_fichier_d_alpha_ne_s_ouvre_qu_a_qui_y_a_droit(
    client, demo, alpha, username
):
    """Another prestataire, and an ALPHA chargé the parcours is not assigned to, get a 404 on
    the parcours, its stage, the stage creation and the convention; ALPHA's module and company
    open to ALPHA's staff only; the DEL reads, and gets a 403 where it would write."""
    client.force_login(demo[username])
    reponses = {page: client.get(url) for page, url in urls_des_pages(alpha).items()}

    assert {page: r.status_code for page, r in reponses.items()} == ACCES_ATTENDUS[username]
    if reponses["parcours"].status_code == 200:
        assert "KAOUMA" in reponses["parcours"].content.decode()
        assert "Boulangerie du Quartier Latin" in reponses["stage"].content.decode()
        assert reponses["convention"]["Content-Type"] == "application/pdf"
        assert "KAOUMA" in texte_pdf(reponses["convention"].getvalue())
    if reponses["module"].status_code == 200:
        page_du_module = reponses["module"].content.decode()
        assert "Atelier techniques de recherche d" in page_du_module
        # A chargé d'insertion sees in the shared module only the people they follow.
        suit_kaouma = username != "alpha3"
        assert ("KAOUMA" in page_du_module) is suit_kaouma
        assert ("Atelier CV" in page_du_module) is suit_kaouma


# --- 2. Lists ----------------------------------------------------------------------------------


def noms_d_alpha():
    """Every ALPHA name a list could leak: its people in parcours, its module, its companies."""
    noms = {p.demandeur.nom for p in Parcours.objects.filter(prestataire__code="ALPHA")}
    return noms | {"KAOUMA", "Boulangerie", "Transports Calédoniens", "Atelier techniques"}


# Each list, with the filter or search it offers, and what BETA's own list shows BETA.
LISTES = {
    "parcours:index": ("?etat=en_cours", "SIMUTOGA"),
    "modules:index": ("?page=1", "Atelier Beta"),
    "entreprises:index": ("?q=a", "Menuiserie Beta"),
}


@pytest.mark.parametrize("username", AUTRES_PRESTATAIRES)
@pytest.mark.parametrize("liste", LISTES)
def test_les_listes_d_un_autre_prestataire_ne_montrent_rien_d_alpha(
    client, demo, alpha, beta, liste, username
):
    filtre, propre_a_beta = LISTES[liste]
    client.force_login(demo[username])
    for url in (reverse(liste), reverse(liste) + filtre):
        reponse = client.get(url)
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert [nom for nom in noms_d_alpha() if nom in page] == [], url
        assert (propre_a_beta in page) is (username == "beta1"), url


def test_la_liste_d_un_charge_ne_montre_que_les_parcours_qui_lui_sont_attribues(
    client, demo, alpha
):
    client.force_login(demo["alpha3"])
    for url in (reverse("parcours:index"), reverse("parcours:index") + "?etat=en_cours"):
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert "KAOUMA" not in reponse.content.decode()
        assert list(reponse.context["object_list"]) == []

    client.force_login(demo["alpha2"])
    assert list(client.get(reverse("parcours:index")).context["object_list"]) == [alpha.parcours]
    client.force_login(demo["alpha1"])
    assert alpha.parcours in client.get(reverse("parcours:index")).context["object_list"]


def test_un_charge_ne_compte_dans_un_module_partage_que_les_personnes_qu_il_suit(
    client, demo, alpha
):
    for username, nombre in (("alpha3", 0), ("alpha2", 1), ("alpha1", 1)):
        client.force_login(demo[username])
        modules = client.get(reverse("modules:index")).context["object_list"]
        assert {m.pk: m.nombre for m in modules}[alpha.module.pk] == nombre, username


# --- 3. Actions --------------------------------------------------------------------------------


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
        "sortir": lambda: _prefixe(
            "sortie",
            date_sortie=jour,
            type_fin="anticipee",
            type_sortie=TypeSortie.objects.get(code="cdi").pk,
            motif_sortie="Embauchée",
            difficultes="Aucune",
            preconisations="Aucune",
        ),
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
    for username in intrus:
        with a(JOUR_DES_ACTIONS, heure=10):
            reponse, _, succes = envoyer(connecte(demo[username]), url, donnees)
        assert (username, reponse.status_code, succes) == (username, 404, [])
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
        assert not succes, (username, succes)
        if reponse.status_code == 302:
            assert erreurs, (username, "redirect without an error message")
            assert "/accounts/login/" not in reponse.url
        else:
            assert reponse.status_code in (400, 403), (username, reponse.status_code)
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


# --- 4. Forms cannot reach another prestataire's things ----------------------------------------


def test_un_stage_ne_se_prepare_pas_dans_une_entreprise_d_un_autre_prestataire(
    client, demo, alpha, beta
):
    donnees = {key.removeprefix("stage-"): valeur
               for key, valeur in donnees_de("modifier", alpha, demo).items()}  # fmt: skip
    avant = etat_des_lieux()

    client.force_login(demo["alpha1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse = client.post(
            reverse("parcours:stage_add", args=[alpha.parcours.pk]),
            {**donnees, "entreprise": beta.entreprise.pk},
        )
        assert reponse.status_code == 200
        assert "entreprise" in reponse.context["form"].errors
        assert "Menuiserie Beta" not in reponse.content.decode()
        # Nor can an existing convention be moved to BETA's company.
        modifier = {**donnees_de("modifier", alpha, demo), "stage-entreprise": beta.entreprise.pk}
        reponse = client.post(reverse("parcours:stage", args=[alpha.stage.pk]), modifier)
        assert reponse.status_code == 400
        assert "entreprise" in reponse.context["forms"]["modifier"].errors

    client.force_login(demo["beta1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse = client.post(
            reverse("parcours:stage_add", args=[beta.parcours.pk]),
            {**donnees, "entreprise": alpha.entreprise.pk},
        )
    assert reponse.status_code == 200
    assert "entreprise" in reponse.context["form"].errors
    assert etat_des_lieux() == avant


def test_un_module_n_inscrit_pas_le_parcours_d_un_autre_prestataire(client, demo, alpha, beta):
    avant = etat_des_lieux()
    client.force_login(demo["alpha1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse, _, succes = envoyer(
            client, alpha.module.get_absolute_url(),
            {"action": "inscrire", "parcours": [beta.parcours.pk]},
        )  # fmt: skip
        assert (reponse.status_code, succes) == (400, [])
        assert "parcours" in reponse.context["form"].errors
        assert "SIMUTOGA" not in reponse.content.decode()

    client.force_login(demo["beta1"])
    with a(JOUR_DES_ACTIONS, heure=10):
        reponse, _, succes = envoyer(
            client, beta.module.get_absolute_url(),
            {"action": "inscrire", "parcours": [alpha.parcours.pk]},
        )  # fmt: skip
        assert (reponse.status_code, succes) == (400, [])
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


# --- 5. Home page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "voit"),
    [("alpha1", True), ("alpha2", True), ("alpha3", False), ("beta1", False),
     ("gamma1", False)],
)  # fmt: skip
def test_les_taches_de_kaouma_ne_sont_a_l_accueil_que_de_ceux_qui_la_suivent(
    client, demo, alpha, username, voit
):
    taches_de_kaouma = Task.objects.filter(
        process=alpha.parcours.process, status__in=("NEW", "ASSIGNED", "STARTED")
    )
    assert taches_de_kaouma.exists()
    client.force_login(demo[username])
    reponse = client.get(reverse("accueil:index"))
    assert reponse.status_code == 200
    taches = [task for task, _ in reponse.context["taches"]]
    assert any(task in taches_de_kaouma for task in taches) is voit
    page = reponse.content.decode()
    assert (alpha.parcours.get_absolute_url() in page) is voit
    if not voit:
        assert "KAOUMA" not in page
