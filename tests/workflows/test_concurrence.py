"""Several people on the same step at once, on PostgreSQL with real parallel transactions:
the first does the step; the others are told in French that it was already done (or is being
done: try again) and see the page again; nobody gets an error page, nothing is done twice."""

import threading
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatAvenant, EtatBonDeCommande
from bons_de_commande.models import Avenant, BonDeCommande, CompteurAnnuel
from prestataires import services as parcours_services
from prestataires.models import Parcours
from procurement import services as prescriptions
from procurement.models import Prescription, SessionCommission
from remunerations import services as remunerations
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from tests.paralleles import en_meme_temps
from workflows.flows import PrescriptionFlow
from workflows.models import Notification, Transition
from workflows.taches import DEJA_ACCOMPLIE, PAS_A_ACCOMPLIR, noeud, tache_en_attente
from workflows.verrou import EN_COURS, VerrouDuProcessus

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]

DEJA_FAIT = {DEJA_ACCOMPLIE, PAS_A_ACCOMPLIR}


def poster_en_session(user, url, **donnees):
    """A POST from `user`'s own browser session: its status and its messages (level, text)."""
    client = Client()
    client.force_login(user)
    reponse = client.post(url, donnees)
    messages = [(m.level_tag, m.message) for m in get_messages(reponse.wsgi_request)]
    return reponse.status_code, reponse.get("Location"), messages


@contextmanager
def processus_tenu(process, *, pendant=None):
    """The timer runner's pass on the process, in another connection: it holds the process
    lock (as viewflow's `task.activation()` does) `pendant` seconds, or until the block ends."""
    tenu, fin = threading.Event(), threading.Event()

    def passage():
        try:
            with process.flow_class.lock(process.pk):
                tenu.set()
                fin.wait(pendant)
        finally:
            connection.close()

    fil = threading.Thread(target=passage)
    fil.start()
    assert tenu.wait(5)
    try:
        yield
    finally:
        fin.set()
        fil.join()


def page_de_cosignature(prescription):
    """The page where the travailleur social co-signs (viewflow's task page)."""
    tache = tache_en_attente(prescription.process, noeud(PrescriptionFlow, "cosigner"))
    return tache.flow_task.reverse("execute", args=[tache.process_id, tache.pk])


def test_finance_accepting_the_same_etat_twice_at_once_accepts_it_once(demo_hors_transaction):
    demo = demo_hors_transaction
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois="2026-10-01")
    remunerations.soumettre(etat, par=demo["alpha1"])
    url = etat.get_absolute_url()

    reponses, erreurs = en_meme_temps(
        2, lambda i: poster_en_session(demo["finance1"], url, action="accepter", confirme="1")
    )

    assert not erreurs
    assert [(statut, lieu) for statut, lieu, _ in reponses] == [(302, url)] * 2
    messages = sorted(m for _, _, ms in reponses for m in ms)
    assert len(messages) == 2
    (niveau_refus, refus), succes = messages
    assert niveau_refus == "error" and refus in DEJA_FAIT | {EN_COURS, remunerations.DEJA_ACCEPTE}
    assert succes == ("success", "État accepté : le mois est rapproché.")
    etat.refresh_from_db()
    assert etat.etat == EtatDeclaration.ACCEPTE
    assert etat.process.finished is not None


def test_three_sessions_issuing_the_same_bon_at_once_give_it_one_number(demo_hors_transaction):
    demo = demo_hors_transaction
    bon = BonDeCommande.objects.get(session__prestataire__code="BETA", etat="brouillon")
    numeros_avant = dict(CompteurAnnuel.objects.values_list("annee", "dernier"))
    url = bon.get_absolute_url()

    reponses, erreurs = en_meme_temps(
        3, lambda i: poster_en_session(demo["gestionnaire1"], url, action="emettre", confirme="1")
    )

    assert not erreurs
    assert [(statut, lieu) for statut, lieu, _ in reponses] == [(302, url)] * 3
    niveaux = sorted(niveau for _, _, ms in reponses for niveau, _ in ms)
    assert niveaux == ["error", "error", "success"]
    refus = {texte for _, _, ms in reponses for niveau, texte in ms if niveau == "error"}
    assert refus <= DEJA_FAIT | {EN_COURS}
    bon.refresh_from_db()
    assert bon.etat == EtatBonDeCommande.EMIS
    compteur = CompteurAnnuel.objects.get(annee=int(bon.numero[3:7]))
    assert compteur.dernier == numeros_avant.get(compteur.annee, 0) + 1
    assert BonDeCommande.objects.filter(numero=bon.numero).count() == 1


def test_two_sessions_co_signing_the_same_prescription_at_once_co_sign_it_once(
    demo_hors_transaction,
):
    """viewflow's task page takes the lock and checks the task before our view: the second
    is told the step was done, on the prescription's page."""
    demo = demo_hors_transaction
    wamytan = Prescription.objects.get(demandeur__nom="WAMYTAN")
    page = wamytan.get_absolute_url()
    url = page_de_cosignature(wamytan)

    reponses, erreurs = en_meme_temps(
        2, lambda i: poster_en_session(demo["ts1"], url, action="cosigner")
    )

    assert not erreurs
    messages = sorted(m for _, _, ms in reponses for m in ms)
    assert [niveau for niveau, _ in messages] == ["error", "success"], reponses
    assert messages[0][1] in {DEJA_ACCOMPLIE, EN_COURS}
    assert {statut for statut, _, _ in reponses} == {302}
    assert page in {lieu for _, lieu, _ in reponses}
    wamytan.refresh_from_db()
    assert wamytan.etat == "soumise"
    assert Transition.objects.filter(object_id=wamytan.pk, nom="cosigner").count() == 1


def test_acknowledging_while_the_timer_runner_holds_the_process_waits_for_its_pass(
    demo_hors_transaction,
):
    demo = demo_hors_transaction
    bon = BonDeCommande.objects.get(session__prestataire__code="BETA", etat="brouillon")
    commandes.emettre(bon, par=demo["gestionnaire1"])
    url = bon.get_absolute_url()

    with processus_tenu(bon.session.process, pendant=0.3):
        statut, lieu, messages = poster_en_session(demo["beta1"], url, action="accuser")

    assert (statut, lieu) == (302, url)
    assert messages == [("success", "Réception accusée : 1 parcours en attente d'entrée.")]
    bon.refresh_from_db()
    assert bon.etat == EtatBonDeCommande.ACCUSE


def test_every_step_of_a_process_locked_for_long_says_to_try_again_and_changes_nothing(
    demo_hors_transaction, monkeypatch
):
    """The timer runner (or another user) holds the process past the wait: each step that
    takes the process lock answers in French, on its page, and nothing moves."""
    monkeypatch.setattr(VerrouDuProcessus, "pauses", (0.05,))
    demo = demo_hors_transaction
    alpha1, gestionnaire1 = demo["alpha1"], demo["gestionnaire1"]
    avenant = Avenant.objects.get(etat=EtatAvenant.EMIS)
    bon_beta = BonDeCommande.objects.get(session__prestataire__code="BETA", etat="brouillon")
    session_beta = SessionCommission.objects.get(prestataire__code="BETA", etat="preparation")
    octobre = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois="2026-10-01")
    kaouma = Parcours.objects.get(demandeur__nom="KAOUMA")
    wamytan = Prescription.objects.get(demandeur__nom="WAMYTAN")
    pages = [
        # (the record whose process is held, its user, the page, what they post)
        (avenant, alpha1, avenant.bon.get_absolute_url(),
         {"action": "accuser_avenant", "avenant": avenant.pk}),
        (bon_beta.session, gestionnaire1, bon_beta.get_absolute_url(),
         {"action": "emettre", "confirme": "1"}),
        (wamytan, demo["ts1"], page_de_cosignature(wamytan), {"action": "cosigner"}),
    ]  # fmt: skip
    for dossier, user, url, donnees in pages:
        with processus_tenu(dossier.process):
            statut, lieu, messages = poster_en_session(user, url, **donnees)
        assert (statut, lieu, messages) == (302, url, [("error", EN_COURS)]), url

    services = [
        (avenant, lambda: commandes.accuser_avenant(avenant, par=alpha1)),
        (bon_beta.session, lambda: commandes.annuler(bon_beta, par=gestionnaire1, motif="Doublon")),
        (session_beta, lambda: prescriptions.ouvrir_seance(session_beta, par=gestionnaire1)),
        (octobre, lambda: remunerations.soumettre(octobre, par=alpha1)),
        (kaouma, lambda: parcours_services.entrer(
            kaouma, par=alpha1, date_premier_contact=date(2026, 11, 20),
            date_entree=date(2026, 11, 23),
        )),
    ]  # fmt: skip
    for dossier, action in services:
        with processus_tenu(dossier.process), pytest.raises(ValidationError) as refus:
            action()
        assert refus.value.messages == [EN_COURS], dossier

    etats = [avenant, bon_beta, session_beta, octobre, kaouma, wamytan]
    avant = [dossier.etat for dossier in etats]
    for dossier in etats:
        dossier.refresh_from_db()
    assert [dossier.etat for dossier in etats] == avant

    # The timer runner's own step: a timer whose process is held is skipped, fired next pass.
    rappel = Task.objects.get(process=wamytan.process, flow_task_type="TIMER")
    with time_machine.travel(rappel.scheduled + timedelta(minutes=1), tick=False):
        with processus_tenu(wamytan.process):
            fire_due_timers()
        rappel.refresh_from_db()
        assert rappel.status == STATUS.SCHEDULED
        fire_due_timers()
    rappel.refresh_from_db()
    assert rappel.status == STATUS.DONE
    # One reminder (ts1 was also called to co-sign when the demo was seeded: not a reminder).
    rappels = Notification.objects.filter(destinataire=demo["ts1"], message__startswith="Rappel")
    assert rappels.count() == 1
