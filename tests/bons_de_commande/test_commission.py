"""Commission interne (docs/domaine.md, process step 2): agenda, decisions, closing, minutes."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accueil.views import taches_de
from bons_de_commande.models import BonDeCommande
from procurement import services
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    Frein,
    PassageCommission,
    SessionCommission,
    today,
)
from tests.bons_de_commande.conftest import ouvrir_une_seance, prescription, texte_pdf, valider

pytestmark = pytest.mark.django_db


def test_commission_validation_lot1_requires_a_duration_of_1_to_24_months(demo, seance):
    passage = seance.passages.get(prescription__demandeur__nom="DUPONT")
    for duree, message in [
        (None, "Indiquez la durée du parcours en mois"),
        (0, "entre 1 et 24 mois"),
        (25, "entre 1 et 24 mois"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.decider(
                passage, par=demo["commission1"], decision=Decision.VALIDEE, duree_mois=duree
            )
    passage.refresh_from_db()
    assert passage.decision == "" and passage.prescription.etat == EtatPrescription.INSCRITE
    assert valider(seance, "DUPONT", demo["commission1"], 24).duree_mois == 24


def test_commission_validation_lot2_is_always_8_months(demo):
    session = ouvrir_une_seance(demo, 2, "GAMMA", today())
    services.inscrire(session, [prescription("LEROUX")], par=demo["gestionnaire1"])
    services.ouvrir_seance(session, par=demo["gestionnaire1"])
    assert valider(session, "LEROUX", demo["commission1"], 3).duree_mois == 8


def test_commission_refusal_needs_a_motif_from_the_freins(demo, seance):
    passage = seance.passages.get(prescription__demandeur__nom="HMAE")
    with pytest.raises(ValidationError, match="motif du refus"):
        services.decider(passage, par=demo["commission1"], decision=Decision.REFUSEE)
    services.decider(
        passage,
        par=demo["commission1"],
        decision=Decision.REFUSEE,
        motif_refus=Frein.objects.get(code="logement"),
    )
    assert prescription("HMAE").etat == EtatPrescription.REFUSEE


def test_an_adjourned_prescription_goes_back_to_the_list_for_a_later_session(demo, seance):
    services.decider(
        seance.passages.get(prescription__demandeur__nom="HMAE"),
        par=demo["commission1"],
        decision=Decision.AJOURNEE,
    )
    assert prescription("HMAE").etat == EtatPrescription.AJOURNEE
    client = Client()
    client.force_login(demo["gestionnaire1"])
    suivante = services.ouvrir_session(
        SessionCommission(date_seance=today(), lot=seance.lot, prestataire=seance.prestataire),
        par=demo["gestionnaire1"],
        membres_del=[demo["commission1"]],
    )
    page = client.get(suivante.get_absolute_url())
    assert "HMAE" in page.content.decode()


def test_second_member_is_told_the_decision_was_already_taken(demo, seance):
    passage = seance.passages.get(prescription__demandeur__nom="DUPONT")
    valider(seance, "DUPONT", demo["commission1"], 7)
    with pytest.raises(services.DecisionDejaPrise, match="déjà été prise"):
        services.decider(passage, par=demo["gestionnaire1"], decision=Decision.AJOURNEE)
    passage.refresh_from_db()
    assert passage.decision == Decision.VALIDEE and passage.decide_par == demo["commission1"]


def test_session_cannot_close_with_an_undecided_prescription(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    with pytest.raises(ValidationError, match="1 prescription\\(s\\) sans décision"):
        services.cloturer_seance(seance, par=demo["commission1"])
    seance.refresh_from_db()
    assert seance.etat == EtatSession.EN_SEANCE and seance.proces_verbal is None
    assert not BonDeCommande.objects.filter(session=seance).exists()


@pytest.mark.pdf
def test_closing_issues_the_minutes_and_prepares_the_order(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    services.decider(
        seance.passages.get(prescription__demandeur__nom="HMAE"),
        par=demo["commission1"],
        decision=Decision.REFUSEE,
        motif_refus=Frein.objects.get(code="mobilite"),
    )
    bon = services.cloturer_seance(seance, par=demo["commission1"])
    seance.refresh_from_db()
    assert seance.etat == EtatSession.CLOTUREE
    pv = texte_pdf(seance.proces_verbal.contenu)
    assert "DUPONT Marie" in pv and "Validée" in pv and "7 mois" in pv
    assert "Refusée" in pv and "Mobilité" in pv
    assert [ligne.prescription.demandeur.nom for ligne in bon.lignes.all()] == ["DUPONT"]
    # The order waits in the gestionnaire's inbox.
    assert "Émettre le bon de commande" in [
        t.flow_task.task_title for t in taches_de(demo["gestionnaire1"])
    ]


def test_decision_step_waits_in_the_commission_members_queue(demo, seance):
    titres = [t.flow_task.task_title for t in taches_de(demo["commission1"])]
    assert "Décider et clôturer la séance" in titres
    assert "Décider et clôturer la séance" not in [
        t.flow_task.task_title for t in taches_de(demo["conseiller1"])
    ]


def test_decision_form_shows_the_error_at_the_duration_field(demo, seance):
    client = Client()
    client.force_login(demo["commission1"])
    passage = seance.passages.get(prescription__demandeur__nom="DUPONT")
    response = client.post(
        seance.get_absolute_url(),
        {
            "action": "decider",
            "passage": passage.pk,
            f"passage-{passage.pk}-decision": "validee",
            f"passage-{passage.pk}-duree_mois": "30",
        },
    )
    assert response.status_code == 400
    assert "entre 1 et 24 mois" in response.content.decode()
    assert PassageCommission.objects.get(pk=passage.pk).decision == ""


@pytest.mark.pdf
def test_agenda_filters_and_pdf(demo):
    session = ouvrir_une_seance(demo, 1, "ALPHA", today())
    client = Client()
    client.force_login(demo["gestionnaire1"])
    page = client.get(session.get_absolute_url(), {"conseiller": demo["conseiller1"].pk})
    texte = page.content.decode()
    assert "DUPONT" in texte and "HMAE" in texte and "XOWIE" not in texte  # XOWIE: conseiller2
    client.post(
        session.get_absolute_url(),
        {"action": "inscrire", "prescriptions": [prescription("DUPONT").pk]},
    )
    assert prescription("DUPONT").etat == EtatPrescription.INSCRITE
    pdf = client.get(reverse("seances:ordre_du_jour", args=[session.pk]))
    assert "DUPONT Marie" in texte_pdf(b"".join(pdf.streaming_content))
