"""A conseiller prescribes; in binôme the travailleur social co-signs; then the commission.

docs/domaine.md, "The process, end to end", step 1, and "Lots" (lot 2 needs CRHD recognition).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.timers import fire_due_timers

from accounts.roles import Role
from procurement import services
from procurement.enums import EtatPrescription
from procurement.models import Frein, Lot, Prescription
from tests.factories import DemandeurFactory, PrestataireFactory, UserFactory
from workflows.history import historique
from workflows.models import Notification
from workflows.taches import DEJA_ACCOMPLIE

NOUMEA = ZoneInfo("Pacific/Noumea")
pytestmark = pytest.mark.django_db


@pytest.fixture
def monde():
    return {
        "conseiller": UserFactory(role=Role.CONSEILLER),
        "ts": UserFactory(role=Role.TRAVAILLEUR_SOCIAL),
        "autre_ts": UserFactory(role=Role.TRAVAILLEUR_SOCIAL),
        "alpha": PrestataireFactory(code="ALPHA", lot=1),
        "gamma": PrestataireFactory(code="GAMMA", lot=2),
        "demandeur": DemandeurFactory(),
    }


def formulaire(monde, action="transmettre", **changes):
    data = {
        "action": action,
        "lot": Lot.objects.get(numero=1).pk,
        "prestataire": monde["alpha"].pk,
        "motif": "Orientation après diagnostic.",
        "freins": [Frein.objects.get(code="mobilite").pk],
        "resultat_attendu": "Accès à un emploi.",
        "accord_personne": "on",
        "date_accord": "2026-11-20",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def prescrire(client, monde, **changes):
    client.force_login(monde["conseiller"])
    url = f"{reverse('prescription:prescrire:execute')}?demandeur={monde['demandeur'].pk}"
    return client.post(url, formulaire(monde, **changes))


def binome(monde, **changes):
    return {"difficultes_logement": "on", "travailleur_social": monde["ts"].pk, **changes}


def tache_ouverte(prescription):
    return Task.objects.get(
        process=prescription.process, flow_task_type="HUMAN", finished__isnull=True
    )


def executer(client, user, prescription, data):
    tache = tache_ouverte(prescription)
    client.force_login(user)
    url = reverse(f"prescription:{tache.flow_task.name}:execute", args=[tache.process_id, tache.pk])
    return client.post(url, data)


@time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=NOUMEA), tick=False)
def test_prescription_without_binome_goes_straight_to_the_commission(client, monde):
    response = prescrire(client, monde)
    prescription = Prescription.objects.get()
    assert response.status_code == 302 and response.url == prescription.get_absolute_url()
    assert prescription.etat == EtatPrescription.SOUMISE
    assert prescription.date_prescription == date(2026, 11, 24)
    assert [f.code for f in prescription.freins.all()] == ["mobilite"]
    assert prescription.process.finished is not None
    [transition] = historique(prescription)
    assert (transition.nom, transition.source, transition.cible, transition.par) == (
        "transmettre",
        "brouillon",
        "soumise",
        monde["conseiller"],
    )


def test_a_draft_waits_in_the_conseillers_inbox_then_is_transmitted(client, monde):
    prescrire(client, monde, action="brouillon", accord_personne=None, date_accord=None)
    prescription = Prescription.objects.get()
    assert prescription.etat == EtatPrescription.BROUILLON
    accueil = client.get(reverse("accueil:index"))
    assert [task.flow_task.name for task, _ in accueil.context["taches"]] == ["completer"]

    response = executer(client, monde["conseiller"], prescription, formulaire(monde))
    prescription.refresh_from_db()
    assert response.status_code == 302
    assert prescription.etat == EtatPrescription.SOUMISE


def test_no_transmission_without_the_persons_agreement(client, monde):
    response = prescrire(client, monde, accord_personne=None, date_accord=None)
    assert response.status_code == 200
    assert response.context["form"].errors["accord_personne"] == [
        "La prescription ne peut être transmise sans l'accord de la personne."
    ]
    assert not Prescription.objects.exists() and not Process.objects.exists()


def test_lot_2_is_refused_for_a_person_without_crhd_recognition(client, monde):
    response = prescrire(
        client, monde, lot=Lot.objects.get(numero=2).pk, prestataire=monde["gamma"].pk
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lot"] == [
        "Le lot 2 est réservé aux personnes reconnues handicapées par la CRHD ; la fiche de ce "
        "demandeur ne mentionne pas de reconnaissance CRHD."
    ]
    assert not Prescription.objects.exists() and not Process.objects.exists()


def test_lot_2_is_open_to_a_person_recognised_by_the_crhd(client, monde):
    monde["demandeur"] = DemandeurFactory(
        reconnaissance_crhd=True, date_reconnaissance_crhd=date(2023, 5, 10)
    )
    prescrire(client, monde, lot=Lot.objects.get(numero=2).pk, prestataire=monde["gamma"].pk)
    assert Prescription.objects.get().lot.numero == 2


def test_the_prestataire_must_hold_the_lot(client, monde):
    response = prescrire(client, monde, prestataire=monde["gamma"].pk)
    assert response.context["form"].errors["prestataire"] == [
        "Prestataire GAMMA ne tient pas le lot 1 au "
        f"{timezone.localdate():%d/%m/%Y} : choisissez un prestataire titulaire de ce lot."
    ]
    assert not Prescription.objects.exists()


def test_housing_difficulties_need_a_travailleur_social(client, monde):
    response = prescrire(client, monde, difficultes_logement="on")
    assert (
        "désignez le travailleur social" in response.context["form"].errors["travailleur_social"][0]
    )
    assert not Prescription.objects.exists()


def test_a_person_has_one_prescription_in_progress_at_a_time(client, monde):
    prescrire(client, monde)
    response = prescrire(client, monde)
    assert "a déjà une prescription en cours" in response.context["form"].non_field_errors()[0]
    assert Prescription.objects.count() == 1


def test_binome_prescription_waits_for_the_travailleur_social_then_goes_to_commission(
    client, monde
):
    prescrire(client, monde, **binome(monde))
    prescription = Prescription.objects.get()
    assert prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE
    assert tache_ouverte(prescription).owner == monde["ts"]

    client.force_login(monde["ts"])
    assert [
        t.flow_task.name for t, _ in client.get(reverse("accueil:index")).context["taches"]
    ] == ["cosigner"]
    executer(client, monde["ts"], prescription, {"action": "cosigner"})

    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.SOUMISE
    assert prescription.cosignee_le is not None
    assert [(t.nom, t.par) for t in historique(prescription)] == [
        ("transmettre", monde["conseiller"]),
        ("cosigner", monde["ts"]),
    ]
    assert prescription.process.finished is not None


def test_travailleur_social_sends_back_with_a_comment(client, monde):
    prescrire(client, monde, **binome(monde))
    prescription = Prescription.objects.get()

    response = executer(
        client, monde["ts"], prescription, {"action": "renvoyer", "renvoi-motif": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["motif"] == ["Ce champ est obligatoire."]
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE

    executer(
        client,
        monde["ts"],
        prescription,
        {"action": "renvoyer", "renvoi-motif": "Préciser le bail."},
    )
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.BROUILLON
    assert prescription.commentaire_renvoi == "Préciser le bail."
    assert tache_ouverte(prescription).owner == monde["conseiller"]

    executer(client, monde["conseiller"], prescription, formulaire(monde, **binome(monde)))
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE
    assert prescription.commentaire_renvoi == ""


def test_only_the_named_travailleur_social_can_cosign(client, monde):
    prescrire(client, monde, **binome(monde))
    prescription = Prescription.objects.get()
    for intrus in (monde["autre_ts"], monde["conseiller"]):
        assert executer(client, intrus, prescription, {"action": "cosigner"}).status_code == 403
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE
    with pytest.raises(PermissionDenied, match="Seul le travailleur social désigné"):
        services.cosigner(prescription, par=monde["autre_ts"])
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.ATTENTE_COSIGNATURE
    assert len(historique(prescription)) == 1


def test_a_task_done_cannot_be_done_twice(client, monde):
    prescrire(client, monde, **binome(monde))
    prescription = Prescription.objects.get()
    tache = tache_ouverte(prescription)
    url = reverse(f"prescription:{tache.flow_task.name}:execute", args=[tache.process_id, tache.pk])
    client.force_login(monde["ts"])
    assert client.post(url, {"action": "cosigner"}).status_code == 302
    deuxieme = client.post(url, {"action": "cosigner"})
    assert (deuxieme.status_code, deuxieme.url) == (302, prescription.get_absolute_url())
    assert [m.message for m in get_messages(deuxieme.wsgi_request)][-1] == DEJA_ACCOMPLIE
    assert len(historique(prescription)) == 2


def test_conseiller_withdraws_a_draft_with_a_reason(client, monde):
    prescrire(client, monde, action="brouillon")
    prescription = Prescription.objects.get()
    response = executer(
        client, monde["conseiller"], prescription, {"action": "retirer", "retrait-motif": ""}
    )
    assert response.context["motif_form"].errors["motif"] == ["Ce champ est obligatoire."]
    assert not response.context["form"].is_bound  # no spurious errors on the prescription
    executer(
        client,
        monde["conseiller"],
        prescription,
        {"action": "retirer", "retrait-motif": "A trouvé un emploi."},
    )
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.RETIREE
    assert historique(prescription)[-1].motif == "A trouvé un emploi."
    assert prescription.process.finished is not None


def test_cosignature_reminder_after_5_days_waiting(client, monde):
    """docs/domaine.md step 1 / issue: a reminder when the co-signature has waited 5 days."""
    debut = datetime(2026, 1, 27, 16, 0, tzinfo=NOUMEA)  # across a month end
    with time_machine.travel(debut, tick=False):
        prescrire(client, monde, **binome(monde, date_accord="2026-01-26"))
    prescription = Prescription.objects.get()
    # The travailleur social was asked to co-sign when it was sent; then reminded.
    rappels = Notification.objects.filter(message__startswith="Rappel")

    with time_machine.travel(debut + timedelta(days=5, minutes=-1), tick=False):
        assert fire_due_timers() == 0
    assert not rappels.exists()

    with (
        time_machine.travel(debut + timedelta(days=5, minutes=1), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert fire_due_timers() == 1
    notification = rappels.get()
    assert notification.destinataire == monde["ts"]
    assert f"la prescription n° {prescription.pk}" in notification.message
    assert "depuis 5 jours" in notification.message
    assert mail.outbox[0].to == [monde["ts"].email]
    # The reminder does not take the task away: the travailleur social still co-signs it.
    assert tache_ouverte(prescription).owner == monde["ts"]
    with time_machine.travel(debut + timedelta(days=20), tick=False):
        assert fire_due_timers() == 0
        executer(client, monde["ts"], prescription, {"action": "cosigner"})
    prescription.refresh_from_db()
    assert prescription.etat == EtatPrescription.SOUMISE
    assert prescription.process.finished is not None


def test_no_reminder_once_cosigned(client, monde):
    debut = datetime(2026, 11, 24, 9, tzinfo=NOUMEA)
    with time_machine.travel(debut, tick=False):
        prescrire(client, monde, **binome(monde))
        executer(client, monde["ts"], Prescription.objects.get(), {"action": "cosigner"})
    with time_machine.travel(debut + timedelta(days=6), tick=False):
        assert fire_due_timers() == 0
    assert not Notification.objects.filter(message__startswith="Rappel").exists()


def test_home_page_lists_tasks_and_prescriptions_in_constant_queries(
    client, monde, django_assert_max_num_queries
):
    for _ in range(15):
        monde["demandeur"] = DemandeurFactory()
        prescrire(client, monde, action="brouillon")
    client.force_login(monde["conseiller"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("accueil:index"))
    assert len(response.context["taches"]) == 15
    assert len(response.context["prescriptions"]) == 10
