"""The commission in session (issue 18, items 3, 5 and 13): each member reads the
prescription beside the decision, chooses it (none is proposed), corrects it until the
session is closed, and closes the session once, on its day, after confirming what follows."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.roles import Role
from procurement import services
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import Frein, Lot, PassageCommission, Prescription, Prestataire
from tests.bons_de_commande.conftest import ouvrir_une_seance, prescription, seance, valider
from tests.factories import UserFactory, prescriptions_en_masse
from workflows.history import historique
from workflows.models import Notification

__all__ = ["seance"]  # the fixture: ALPHA's open session of 24/11/2026, DUPONT and HMAE

pytestmark = pytest.mark.django_db


def membre(demo, username="commission1") -> Client:
    client = Client()
    client.force_login(demo[username])
    return client


def passage_de(session, nom) -> PassageCommission:
    return session.passages.get(prescription__demandeur__nom=nom)


def form_de(reponse, passage):
    """The decision form of `passage` on the session's page."""
    return next(p.form for p in reponse.context["passages"] if p.pk == passage.pk)


def champs(passage, **valeurs) -> dict:
    """The POST of a decision form on `passage`."""
    return {
        "action": "decider",
        "passage": passage.pk,
        **{f"passage-{passage.pk}-{nom}": valeur for nom, valeur in valeurs.items()},
    }


# --- Item 13: no decision is proposed ------------------------------------------------------


def test_the_decision_starts_empty_and_choosing_one_is_required(demo, seance):
    page = membre(demo).get(seance.get_absolute_url()).content.decode()
    dupont = passage_de(seance, "DUPONT")
    # Each decision offered in full words (no select cut to "Vali…"), none checked.
    for decision in Decision.values:
        assert f'name="passage-{dupont.pk}-decision" value="{decision}"' in page
    assert 'value="validee" checked' not in page and "selected>Validée" not in page

    reponse = membre(demo).post(seance.get_absolute_url(), champs(dupont, duree_mois="7"))
    assert reponse.status_code == 400
    assert form_de(reponse, dupont).errors["decision"] == [
        "Choisissez une décision : validée, refusée ou ajournée."
    ]
    assert passage_de(seance, "DUPONT").decision == ""


# --- Item 5: the prescription beside the decision, and its correction ------------------------


def test_the_motif_and_freins_are_shown_beside_each_decision_in_constant_queries(
    demo, django_assert_max_num_queries
):
    alpha, lot = Prestataire.objects.get(code="ALPHA"), Lot.objects.get(numero=1)
    session = ouvrir_une_seance(demo, 1, "ALPHA", date(2026, 11, 24))
    autres = prescriptions_en_masse(
        range(10), prestataire=alpha, lot=lot, conseiller=demo["conseiller1"],
        etat=EtatPrescription.SOUMISE,
    )  # fmt: skip
    for autre in autres:
        autre.freins.set(Frein.objects.filter(code__in=["mobilite", "numerique"]))
    services.inscrire(session, [prescription("DUPONT"), *autres], par=demo["gestionnaire1"])
    services.ouvrir_seance(session, par=demo["gestionnaire1"])
    dupont = prescription("DUPONT")
    client = membre(demo)

    with django_assert_max_num_queries(30):
        page = client.get(session.get_absolute_url()).content.decode()

    assert dupont.motif in page
    assert all(str(frein) in page for frein in dupont.freins.all()) and dupont.freins.exists()
    assert all(autre.demandeur.nom in page for autre in autres)
    assert page.count("Numérique") >= 10


def test_a_decision_is_corrected_until_the_session_is_closed_and_the_history_says_so(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    valider(seance, "HMAE", demo["commission1"], 7)
    dupont = passage_de(seance, "DUPONT")
    page = membre(demo).get(seance.get_absolute_url())
    version = form_de(page, dupont)["version"].value()
    assert version == dupont.version != ""

    autre_membre = UserFactory(role=Role.COMMISSION)
    reponse = membre({"autre": autre_membre}, "autre").post(
        seance.get_absolute_url(),
        champs(dupont, decision="refusee", motif_refus=Frein.objects.get(code="logement").pk,
               commentaire="Logement à stabiliser d'abord", version=version),
    )  # fmt: skip
    assert reponse.status_code == 302
    dupont.refresh_from_db()
    assert dupont.decision == Decision.REFUSEE and dupont.duree_mois is None
    assert dupont.decide_par == autre_membre
    assert prescription("DUPONT").etat == EtatPrescription.REFUSEE
    correction = historique(prescription("DUPONT"))[-1]
    assert (correction.libelle, correction.source, correction.cible) == (
        "Correction de la décision",
        EtatPrescription.VALIDEE,
        EtatPrescription.REFUSEE,
    )
    assert correction.par == autre_membre and "Logement" in correction.motif

    services.cloturer_seance(seance, par=demo["commission1"])
    with pytest.raises(ValidationError, match="La séance n'est pas ouverte"):
        services.decider(
            dupont, par=demo["commission1"], decision=Decision.VALIDEE, duree_mois=7,
            version=passage_de(seance, "DUPONT").version,
        )  # fmt: skip
    assert prescription("DUPONT").etat == EtatPrescription.REFUSEE


def test_the_second_member_correcting_at_the_same_time_is_told_in_french(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    dupont = passage_de(seance, "DUPONT")
    vue_par_les_deux = dupont.version
    premier, second = membre(demo), membre({"autre": UserFactory(role=Role.COMMISSION)}, "autre")
    premier.post(
        seance.get_absolute_url(),
        champs(dupont, decision="validee", duree_mois="9", version=vue_par_les_deux),
    )

    reponse = second.post(
        seance.get_absolute_url(),
        champs(dupont, decision="ajournee", commentaire="À revoir", version=vue_par_les_deux),
        follow=True,
    )
    assert reponse.status_code == 200
    assert "a déjà été prise (validée, par" in reponse.content.decode()
    dupont.refresh_from_db()
    assert (dupont.decision, dupont.duree_mois) == (Decision.VALIDEE, 9)
    assert dupont.decide_par == demo["commission1"]


# --- Item 3: closing asks once for confirmation ---------------------------------------------


def test_closing_the_session_asks_once_what_will_happen_then_closes(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    services.decider(
        passage_de(seance, "HMAE"), par=demo["commission1"], decision=Decision.AJOURNEE,
        commentaire="Attendre le relogement",
    )  # fmt: skip
    client = membre(demo)

    reponse = client.post(seance.get_absolute_url(), {"action": "cloturer"})
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Vous allez clôturer la séance du 24/11/2026 (décisions : 1 validée, 1 ajournée)" in page
    assert "deviennent définitives" in page and "bon de commande" in page
    assert '<input type="hidden" name="action" value="cloturer">' in page
    assert '<input type="hidden" name="confirme" value="1">' in page and ">Annuler</a>" in page
    seance.refresh_from_db()
    assert seance.etat == EtatSession.EN_SEANCE and seance.proces_verbal is None

    reponse = client.post(seance.get_absolute_url(), {"action": "cloturer", "confirme": "1"})
    assert reponse.status_code == 302
    seance.refresh_from_db()
    assert seance.etat == EtatSession.CLOTUREE and seance.proces_verbal is not None


def test_a_refused_closing_asks_no_confirmation(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    reponse = membre(demo).post(seance.get_absolute_url(), {"action": "cloturer"}, follow=True)
    page = reponse.content.decode()
    assert "1 prescription(s) sans décision (HMAE" in page and "Vous allez" not in page
    # Refused to whom may not close it, never asked to confirm (a 400 with the panel).
    refus = membre(demo, "conseiller1").post(seance.get_absolute_url(), {"action": "cloturer"})
    assert refus.status_code != 400


# --- Item 13: not before the session's day --------------------------------------------------


def test_a_session_cannot_be_closed_before_its_day_in_noumea(demo):
    session = ouvrir_une_seance(demo, 1, "ALPHA", date(2026, 12, 3))
    services.inscrire(session, [prescription("DUPONT")], par=demo["gestionnaire1"])
    services.ouvrir_seance(session, par=demo["gestionnaire1"])
    valider(session, "DUPONT", demo["commission1"], 7)

    # 2 December, 23:59 in Nouméa (UTC+11): the day before the session.
    with time_machine.travel(datetime(2026, 12, 2, 12, 59, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationError, match="ne peut pas être clôturée avant ce jour"):
            services.cloturer_seance(session, par=demo["commission1"])
        page = membre(demo).get(session.get_absolute_url()).content.decode()
        assert 'value="cloturer"' not in page
        assert "pourra être clôturée à partir du 03/12/2026" in page
    session.refresh_from_db()
    assert session.etat == EtatSession.EN_SEANCE and session.proces_verbal is None

    # 3 December, 00:00 in Nouméa, still the 2nd in UTC: the session's day has come.
    with time_machine.travel(datetime(2026, 12, 2, 13, 0, tzinfo=UTC), tick=False):
        services.cloturer_seance(session, par=demo["commission1"])
    session.refresh_from_db()
    assert session.etat == EtatSession.CLOTUREE


# --- Item 13: an adjourned prescription comes back with its comment --------------------------


def test_an_adjournment_needs_its_comment_at_the_field(demo, seance):
    hmae = passage_de(seance, "HMAE")
    reponse = membre(demo).post(seance.get_absolute_url(), champs(hmae, decision="ajournee"))
    assert reponse.status_code == 400
    form = form_de(reponse, hmae)
    assert "Indiquez pourquoi la prescription est ajournée" in form.errors["commentaire"][0]
    assert passage_de(seance, "HMAE").decision == ""


def test_an_adjourned_prescription_comes_back_to_its_conseiller_with_the_comment(demo, seance):
    valider(seance, "DUPONT", demo["commission1"], 7)
    services.decider(
        passage_de(seance, "HMAE"), par=demo["commission1"], decision=Decision.AJOURNEE,
        commentaire="Attendre le relogement de la famille",
    )  # fmt: skip
    services.cloturer_seance(seance, par=demo["commission1"])

    hmae = Prescription.objects.get(demandeur__nom="HMAE")
    notification = Notification.objects.get(
        destinataire=hmae.conseiller, lien=hmae.get_absolute_url()
    )
    assert notification.message == (
        f"La prescription n° {hmae.pk} ({hmae.demandeur}) a été ajournée par la commission du "
        "24/11/2026 : Attendre le relogement de la famille"
    )
    page = membre(demo, "conseiller1").get(hmae.get_absolute_url()).content.decode()
    assert "Ajournée par la commission du 24/11/2026 : Attendre le relogement de la famille" in page
