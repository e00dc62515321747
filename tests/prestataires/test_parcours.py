"""A prestataire runs a parcours from the entry to the end of the maintien dans l'emploi."""

from datetime import date

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from prestataires.enums import EtatParcours, EtatStage
from prestataires.models import Entreprise, ModuleCollectif, Stage
from procurement.models import Frein, TypeSortie
from tests.bons_de_commande.conftest import texte_pdf
from workflows.models import Notification

from .conftest import a, poster


def evaluer(client, url, moment, jour, **axes):
    """The parcours page's evaluation form, sent: its moment, its date and the four axes."""
    poster(
        client,
        url,
        action="evaluer",
        **{"evaluation-moment": moment, "evaluation-date": jour},
        **{f"evaluation-{axe}": note for axe, note in axes.items()},
    )


@pytest.mark.pdf
def test_parcours_complet_de_l_entree_au_maintien_clos_par_le_minuteur(client, demo, kaouma):
    """Issue 4, "Done when": entry, a module, a plan d'action, a stage with its convention,
    a suspension, an exit into a CDI, and the 3-month maintien closing by itself."""
    client.force_login(demo["alpha2"])
    url = kaouma.get_absolute_url()

    with a("2026-11-16"):
        poster(client, url, action="entrer", date_premier_contact="2026-11-13",
               date_entree="2026-11-16")  # fmt: skip
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.EN_COURS
    # 6 months from 16/11/2026: last planned day 15/05/2027.
    assert kaouma.fin_prevue == date(2027, 5, 15)

    module = ModuleCollectif.objects.get(prestataire__code="ALPHA")
    with a("2026-11-17"):
        poster(client, module.get_absolute_url(), action="inscrire", parcours=[kaouma.pk])
        poster(client, url, action="projet", **{"projet-projet": "Vendeuse en boulangerie",
               "projet-valide_le": "2026-11-17"})  # fmt: skip
        poster(client, url, action="ajouter_action", **{"action-etape": 1,
               "action-intitule": "Refaire le CV", "action-echeance": "2026-11-30"})  # fmt: skip
        poster(client, url, action="rendez_vous", **{
            "rdv-date": "2026-11-17", "rdv-nature": "collectif", "rdv-module": module.pk,
            "rdv-objet": "Atelier CV", "rdv-freins_travailles": [Frein.objects.get(
                code="garde_enfants").pk],
        })  # fmt: skip
        evaluer(client, url, "entree", "2026-11-17", projet=2, freins=1, engagement=3,
                savoir_etre=2)  # fmt: skip
    assert list(module.participants.all()) == [kaouma]
    assert kaouma.actions.get().intitule == "Refaire le CV"

    entreprise = Entreprise.objects.get(raison_sociale="Boulangerie du Quartier Latin")
    with a("2026-11-25"):
        reponse = client.post(reverse("parcours:stage_add", args=[kaouma.pk]), {
            "entreprise": entreprise.pk, "objet": "confirmer",
            "objectifs": "Confirmer le projet de vente", "tuteur_nom": "Jacques Tein",
            "debut": "2026-12-07", "fin": "2026-12-18", "heures_hebdo": 35,
            "activites_competences": "Mise en rayon, encaissement",
            "criteres_evaluation": "Ponctualité, relation client",
        })  # fmt: skip
        stage = Stage.objects.get(parcours=kaouma)
        assert reponse.url == stage.get_absolute_url()
        convention = client.get(reverse("parcours:convention", args=[stage.pk]))
        assert convention["Content-Type"] == "application/pdf"
        texte = texte_pdf(convention.getvalue())
        assert "Boulangerie du Quartier Latin" in texte and "KAOUMA" in texte
        poster(client, stage.get_absolute_url(), action="cocher",
               **{"cocher-conditions_accueil": "on", "cocher-convention": "on"})  # fmt: skip
        poster(client, stage.get_absolute_url(), action="verifier",
               **{"verifier-verifie_le": "2026-11-25"})  # fmt: skip
    with a("2026-12-07"):
        poster(client, stage.get_absolute_url(), action="demarrer")
    with a("2026-12-18", heure=17):
        poster(client, stage.get_absolute_url(), action="visite", **{
            "visite-date": "2026-12-10", "visite-compte_rendu": "Bonne intégration"})  # fmt: skip
        poster(client, stage.get_absolute_url(), action="terminer", **{
            "terminer-termine_le": "2026-12-18", "terminer-bilan_entreprise": "Très bien",
            "terminer-rapport_stage": "Projet confirmé"})  # fmt: skip
    stage.refresh_from_db()
    assert stage.etat == EtatStage.TERMINE

    with a("2027-01-05"):
        poster(client, url, action="suspendre", **{"suspension-debut": "2027-01-05",
               "suspension-motif": "famille"})  # fmt: skip
    with a("2027-01-19"):
        poster(client, url, action="reprendre", **{"reprise-reprise": "2027-01-19"})
    kaouma.refresh_from_db()
    assert kaouma.fin_prevue == date(2027, 5, 29)  # moved back by the 14 suspended days

    with a("2027-05-29", heure=16):
        poster(client, url, action="sortir", confirme="1", **{
            "sortie-date_sortie": "2027-05-29", "sortie-type_fin": "terme",
            "sortie-type_sortie": TypeSortie.objects.get(code="cdi").pk,
            "sortie-satisfaction": 5,
        })  # fmt: skip
        evaluer(client, url, "sortie", "2027-05-29", projet=4, freins=3, engagement=4,
                savoir_etre=4)  # fmt: skip
    kaouma.refresh_from_db()
    assert (kaouma.etat, kaouma.classe_sortie) == (EtatParcours.MAINTIEN, "ED")
    assert kaouma.fin_maintien == date(2027, 8, 29)

    with a("2027-06-29"):
        poster(client, url, action="contact_maintien", **{
            "maintien-date": "2027-06-29", "maintien-nature": "employeur",
            "maintien-toujours_en_emploi": "on", "maintien-compte_rendu": "Tout va bien",
        })  # fmt: skip

    with a("2027-08-28", heure=23):
        fire_due_timers()
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.MAINTIEN
    with a("2027-08-29", heure=0):
        fire_due_timers()
    kaouma.refresh_from_db()
    assert kaouma.etat == EtatParcours.TERMINE
    assert kaouma.maintien_clos_le == date(2027, 8, 29)
    assert kaouma.process.status == "DONE"
    # Entered in time: the conseiller référent was never alerted.
    assert not Notification.objects.filter(message__contains="pas entré").exists()


def test_entree_non_enregistree_15_jours_apres_l_accuse_alerte_le_conseiller(demo, kaouma):
    """The entry timer (15 days after the order's acknowledgement) alerts the conseiller
    référent, and leaves the entry to record."""
    with a("2026-11-27", heure=9):  # 15 days after 12/11 10:00, not yet
        fire_due_timers()
    assert not Notification.objects.filter(message__contains="pas entré").exists()
    with a("2026-11-27", heure=11):
        fire_due_timers()
    alerte = Notification.objects.get(message__contains="pas entré")
    assert alerte.destinataire == demo["conseiller1"]
    assert "KAOUMA Rose" in alerte.message and "15 jours" in alerte.message
    assert alerte.lien == kaouma.get_absolute_url()
    entree = Task.objects.get(process=kaouma.process, flow_task__endswith=".entrer")
    assert entree.status == STATUS.NEW


def test_entree_a_temps_desarme_l_alerte(demo, kaouma):
    from prestataires import services

    with a("2026-11-20"):
        services.entrer(kaouma, par=demo["alpha2"], date_premier_contact=date(2026, 11, 13),
                    date_entree=date(2026, 11, 20))  # fmt: skip
    minuteur = Task.objects.get(process=kaouma.process, flow_task__endswith=".entrer__timeout")
    assert minuteur.status == STATUS.CANCELED
    with a("2026-12-30"):
        fire_due_timers()  # the demo's other timers (avenant to acknowledge) fire
    assert not Notification.objects.filter(message__contains="pas entré").exists()


pytestmark = pytest.mark.django_db
