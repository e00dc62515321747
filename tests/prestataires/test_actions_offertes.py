"""The actions a parcours' and a stage's pages offer come from their state machine: a state
change is offered to whoever its transition permits in the record's state (django-fsm's
available transitions), the other actions by the record's predicates; and what a page does not
offer, the service refuses."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import has_transition_perm

from prestataires import services, stages
from prestataires.enums import EtatParcours, EtatStage
from prestataires.models import Entreprise
from prestataires.views import ParcoursDetailView, StageDetailView
from procurement.models import TypeSortie
from tests.offertes import verifier_les_offres

from .conftest import a

pytestmark = pytest.mark.django_db

UTILISATEURS = ("alpha1", "alpha2", "gestionnaire1", "beta1")
SUIVI = {"projet", "ajouter_action", "rendez_vous", "evaluer"}


def test_un_parcours_offre_a_chacun_les_transitions_que_son_etat_lui_permet(demo, kaouma):
    """KAOUMA's parcours from its order to its end: alpha2 (its chargé) and alpha1 (ALPHA's
    direction, who also assigns it) conduct it; the DEL reads it and is offered nothing."""
    alpha2 = demo["alpha2"]

    def a_l_etat(etat, *actions):
        kaouma.refresh_from_db()
        assert kaouma.etat == etat
        conduite = set(actions)
        verifier_les_offres(demo, kaouma, ParcoursDetailView, UTILISATEURS, beta1=None,
                            alpha2=conduite, alpha1=conduite | {"attribuer"})  # fmt: skip

    with a("2026-11-16"):
        a_l_etat(EtatParcours.ATTENTE_ENTREE, "entrer")
        services.entrer(kaouma, par=alpha2, date_premier_contact=date(2026, 11, 13),
                        date_entree=date(2026, 11, 16))  # fmt: skip
        a_l_etat(EtatParcours.EN_COURS, *SUIVI, "suspendre", "sortir")
    with a("2026-11-20"):
        services.suspendre(kaouma, par=alpha2, debut=date(2026, 11, 20), motif="sante")
        a_l_etat(EtatParcours.SUSPENDU, *SUIVI, "reprendre", "sortir")
    with a("2026-11-27"):
        services.reprendre(kaouma, par=alpha2, reprise=date(2026, 11, 27))
        a_l_etat(EtatParcours.EN_COURS, *SUIVI, "suspendre", "sortir")
        services.sortir(kaouma, par=alpha2, date_sortie=date(2026, 11, 27),
                        type_fin="anticipee", type_sortie=TypeSortie.objects.get(code="cdi"),
                        motif_sortie="Embauchée", difficultes="Aucune",
                        preconisations="Aucune")  # fmt: skip
        a_l_etat(EtatParcours.MAINTIEN, "evaluer", "contact_maintien", "clore_maintien")
        services.clore_maintien(kaouma, par=alpha2, motif="Emploi stable")
        kaouma.refresh_from_db()
        assert kaouma.etat == EtatParcours.TERMINE
        verifier_les_offres(demo, kaouma, ParcoursDetailView, UTILISATEURS, beta1=None)


def test_un_stage_offre_a_ceux_qui_conduisent_son_parcours_les_transitions_de_son_etat(
    demo, kaouma
):
    alpha2 = demo["alpha2"]
    with a("2026-11-16"):
        services.entrer(kaouma, par=alpha2, date_premier_contact=date(2026, 11, 13),
                        date_entree=date(2026, 11, 16))  # fmt: skip
        stage = stages.preparer_stage(
            kaouma, par=alpha2, entreprise=Entreprise.objects.filter(prestataire__code="ALPHA")[0],
            objet="decouvrir", objectifs="Découvrir la vente", tuteur_nom="J. Tein",
            debut=date(2026, 12, 7), fin=date(2026, 12, 18), heures_hebdo=35,
            activites_competences="Vente", criteres_evaluation="Assiduité",
        )  # fmt: skip

    def a_l_etat(etat, *actions):
        stage.refresh_from_db()
        assert stage.etat == etat
        verifier_les_offres(demo, stage, StageDetailView, UTILISATEURS, beta1=None,
                            alpha1=set(actions), alpha2=set(actions))  # fmt: skip

    with a("2026-12-01"):
        a_l_etat(EtatStage.PREPARATION, "modifier", "cocher", "verifier", "annuler")
        stages.cocher_verifications(stage, par=alpha2, conditions_accueil=True, convention=True)
        stages.verifier_stage(stage, par=alpha2, verifie_le=date(2026, 12, 1))
        a_l_etat(EtatStage.VERIFIE, "demarrer", "annuler")
    with a("2026-12-07"):
        stages.demarrer_stage(stage, par=alpha2)
        a_l_etat(EtatStage.EN_COURS, "visite", "terminer")
    with a("2026-12-18"):
        stages.terminer_stage(stage, par=alpha2, termine_le=date(2026, 12, 18), bilan="Bien",
                              rapport="Projet confirmé")  # fmt: skip
        a_l_etat(EtatStage.TERMINE)


def test_ce_que_la_page_n_offre_pas_le_service_le_refuse_par_la_meme_regle(demo, kaouma):
    """The DEL may not enter KAOUMA (the transition's permission), nor alpha2 suspend her
    before her entry (its source): the page offered neither, the services refuse both."""
    gestionnaire, alpha2 = demo["gestionnaire1"], demo["alpha2"]
    assert not has_transition_perm(kaouma.entrer, gestionnaire)
    assert has_transition_perm(kaouma.entrer, alpha2)
    assert not has_transition_perm(kaouma.suspendre, alpha2)
    with a("2026-11-16"):
        with pytest.raises(PermissionDenied):
            services._entrer(kaouma, par=gestionnaire, date_premier_contact=date(2026, 11, 13),
                             date_entree=date(2026, 11, 16))  # fmt: skip
        with pytest.raises(ValidationError, match="Seul un parcours en cours peut être suspendu"):
            services._suspendre(kaouma, par=alpha2, debut=date(2026, 11, 16), motif="sante")
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.ATTENTE_ENTREE
