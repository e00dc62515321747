"""The parcours' stories: a frozen clock in Nouméa, KAOUMA's parcours waiting for entry at
ALPHA, a parcours of lot 2 at GAMMA, POSTs that must succeed or be refused; and, for the
isolation stories, ALPHA's things (KAOUMA entered, in a module, with a plan, a rendez-vous, an
evaluation and a stage) beside BETA's and a chargé of ALPHA to whom nothing is assigned."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.messages import get_messages

from accounts.roles import Role
from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from prestataires import services, stages
from prestataires.enums import EtatParcours, EtatStage
from prestataires.models import Entreprise, ModuleCollectif, Parcours
from procurement import services as procurement_services
from procurement.enums import Decision
from procurement.models import Commune, Lot, Prescription, Prestataire, SessionCommission
from tests.conftest import NOUMEA
from tests.factories import UserFactory


def a(jour: str, heure: int = 9):
    """A frozen clock on that day (YYYY-MM-DD), Nouméa time."""
    return time_machine.travel(
        datetime.fromisoformat(jour).replace(hour=heure, tzinfo=NOUMEA), tick=False
    )


@pytest.fixture
def kaouma(demo):
    """KAOUMA's parcours at ALPHA: 6 months validated, waiting for entry, followed by
    alpha2."""
    return Parcours.objects.get(demandeur__nom="KAOUMA")


@pytest.fixture
def parcours_lot2(demo):
    """LEROUX, recognised by the CRHD, ordered to GAMMA (lot 2)."""
    gestionnaire, commission = demo["gestionnaire1"], demo["commission1"]
    with a("2026-11-12", heure=11):
        session = procurement_services.ouvrir_session(
            SessionCommission(date_seance=date(2026, 11, 12), lot=Lot.objects.get(numero=2),
                              prestataire=Prestataire.objects.get(code="GAMMA")),
            par=gestionnaire, membres_del=[commission],
        )  # fmt: skip
        procurement_services.inscrire(
            session, [Prescription.objects.get(demandeur__nom="LEROUX")], par=gestionnaire
        )
        procurement_services.ouvrir_seance(session, par=gestionnaire)
        procurement_services.decider(session.passages.get(), par=commission,
                                     decision=Decision.VALIDEE, duree_mois=None,
                                     commentaire="")  # fmt: skip
        bon = procurement_services.cloturer_seance(session, par=commission)
        commandes.emettre(bon, par=gestionnaire)
        commandes.accuser(bon, par=demo["gamma1"])
    return Parcours.objects.get(demandeur__nom="LEROUX")


def poster(client, url, **donnees):
    """POST as a user would; the action must succeed (redirect, no error message)."""
    reponse = client.post(url, donnees)
    erreurs = [m.message for m in get_messages(reponse.wsgi_request) if m.level_tag == "error"]
    assert reponse.status_code == 302, (reponse.status_code, erreurs, _erreurs_de(reponse))
    assert "/accounts/login/" not in reponse.url
    assert not erreurs
    return reponse


def refuse(client, url, **donnees) -> str:
    """POST that must be refused: the page comes back with the message where it was typed,
    or the error message after a redirect. Returns the page's or messages' text."""
    reponse = client.post(url, donnees)
    if reponse.status_code == 400:
        return reponse.content.decode()
    messages = [m.message for m in get_messages(reponse.wsgi_request) if m.level_tag == "error"]
    assert messages, f"the action was not refused ({reponse.status_code})"
    return " ".join(messages)


def _erreurs_de(reponse):
    forms = (reponse.context or {}).get("forms") if reponse.status_code == 400 else None
    return {cle: form.errors for cle, form in (forms or {}).items() if form.errors}


# --- The isolation stories: ALPHA's things and the others' -------------------------------------

# The other prestataires' directions, who must find nothing of ALPHA's.
AUTRES_PRESTATAIRES = ("beta1", "gamma1")


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
