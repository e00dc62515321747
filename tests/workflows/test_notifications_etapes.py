"""Every step that asks someone to act reaches them: a notification on their home page and an
e-mail that says what to do, on which record, and why when the work comes back (the comment
that sent it back), with a link to the record that opens for them. A task that comes back reads
apart from the first one. A prestataire's e-mail goes to that prestataire's users only."""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from bons_de_commande import services as commandes
from bons_de_commande.models import BonDeCommande
from procurement import services as prescriptions
from procurement.enums import Decision
from procurement.models import Prescription, Prestataire, SessionCommission
from remunerations import calcul
from remunerations import services as remunerations
from remunerations.models import EtatRemuneration
from reporting import services as bilans
from reporting.models import BilanFinParcours
from tests.prestataires.conftest import a
from workflows.models import Notification
from workflows.notifications import PREFIXE_DU_SUJET
from workflows.taches import accomplir

pytestmark = pytest.mark.django_db


def courriels_pendant(action):
    """The e-mails the action sends once its transaction commits."""
    avant = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        action()
    return mail.outbox[avant:]


def destinataires(courriels) -> set[str]:
    return {adresse for courriel in courriels for adresse in courriel.to}


def adresses(*usernames) -> set[str]:
    return set(User.objects.filter(username__in=usernames).values_list("email", flat=True))


def verifier_l_appel(client, courriels, usernames, message, dossier, motif=""):
    """Each user named, and no one else, got one e-mail whose subject is the whole message and
    whose body says it, gives the reason and the record's absolute link, which opens for them;
    the same message waits on their home page."""
    assert destinataires(courriels) == adresses(*usernames)
    assert len(courriels) == len(usernames)
    lien = dossier.get_absolute_url()
    for courriel in courriels:
        assert courriel.subject == PREFIXE_DU_SUJET + message
        assert message in courriel.body
        assert f"{settings.SITE_URL}{lien}" in courriel.body
        if motif:
            assert f"Motif : {motif}" in courriel.body
    for username in usernames:
        utilisateur = User.objects.get(username=username)
        notification = Notification.objects.filter(destinataire=utilisateur).first()
        assert notification.message == (f"{message} Motif : {motif}" if motif else message)
        assert notification.lien == lien
        client.force_login(utilisateur)
        assert client.get(lien.split("#")[0]).status_code == 200


def titre_de_la_tache(dossier, noeud) -> str:
    tache = dossier.process.task_set.filter(flow_task=noeud).order_by("-pk").first()
    return tache.data.get("titre", tache.flow_task.task_title)


# --- Prescription ------------------------------------------------------------------------------


def test_une_prescription_renvoyee_par_le_travailleur_social_revient_au_conseiller(
    client, demo, django_assert_max_num_queries
):
    """WAMYTAN's binôme prescription waits for ts1, who sends it back: conseiller1 is told why,
    and his task says it came back; transmitted again, ts1 is asked to co-sign again."""
    wamytan = Prescription.objects.get(demandeur__nom="WAMYTAN")
    motif = "Précisez la situation de logement : hébergé chez un tiers depuis quand ?"
    client.force_login(demo["conseiller1"])
    with django_assert_max_num_queries(100) as accueil:
        client.get(reverse("accueil:index"))
    requetes = len(accueil)  # read now: the next request empties the log it reads
    courriels = courriels_pendant(
        lambda: accomplir(
            wamytan.process,
            "cosigner",
            par=demo["ts1"],
            action=lambda: prescriptions.renvoyer(wamytan, par=demo["ts1"], motif=motif),
        )
    )
    verifier_l_appel(
        client,
        courriels,
        ["conseiller1"],
        f"La prescription n° {wamytan.pk} ({wamytan.demandeur}) vous est renvoyée par le "
        "travailleur social : complétez-la et transmettez-la de nouveau.",
        wamytan,
        motif,
    )
    completer = wamytan.process.flow_class.completer
    assert titre_de_la_tache(wamytan, completer) == (
        f"Compléter la prescription renvoyée par le travailleur social : {motif}"
    )
    # The home page lists the task that came back under its own title, in as many queries.
    client.force_login(demo["conseiller1"])
    with django_assert_max_num_queries(requetes):
        accueil = client.get(reverse("accueil:index")).content.decode()
    assert f"renvoyée par le travailleur social : {motif}" in accueil

    wamytan.refresh_from_db()
    courriels = courriels_pendant(
        lambda: accomplir(
            wamytan.process,
            "completer",
            par=demo["conseiller1"],
            action=lambda: prescriptions.transmettre(wamytan, par=demo["conseiller1"]),
        )
    )
    verifier_l_appel(
        client,
        courriels,
        ["ts1"],
        f"La prescription n° {wamytan.pk} ({wamytan.demandeur}) attend votre co-signature : "
        f"{demo['conseiller1']} la prescrit en binôme avec vous.",
        wamytan,
    )


# --- Commission, bon de commande, avenants --------------------------------------------------


def test_la_seance_ouverte_appelle_ses_membres_puis_le_gestionnaire_et_le_prestataire(client, demo):
    """BETA's session of 08/12 (MAPERI on its agenda): opened, its DEL member who decides is
    called (not gestionnaire1, who sits but does not decide; not beta1, who sits for BETA);
    closed, its gestionnaire issues the order; issued, BETA's direction only acknowledges it."""
    session = SessionCommission.objects.get(prestataire__code="BETA", date_seance="2026-12-08")
    gestionnaire, commission = demo["gestionnaire1"], demo["commission1"]
    seance = "La séance de la commission du 08/12/2026 (lot 1, BETA)"

    courriels = courriels_pendant(lambda: prescriptions.ouvrir_seance(session, par=gestionnaire))
    verifier_l_appel(
        client,
        courriels,
        ["commission1"],
        f"{seance} est ouverte : saisissez la décision de chaque prescription inscrite, puis "
        "clôturez la séance.",
        session,
    )

    prescriptions.decider(
        session.passages.get(),
        par=commission,
        decision=Decision.VALIDEE,
        duree_mois=7,
        commentaire="",
    )
    with a("2026-12-08"):  # a session is closed on its day, not before (issue 18, item 13)
        courriels = courriels_pendant(
            lambda: prescriptions.cloturer_seance(session, par=commission)
        )
    bon = BonDeCommande.objects.get(session=session)
    verifier_l_appel(
        client,
        courriels,
        ["gestionnaire1"],
        f"{seance} est close : vérifiez et émettez le bon de commande des personnes validées.",
        bon,
    )

    courriels = courriels_pendant(lambda: commandes.emettre(bon, par=gestionnaire))
    bon.refresh_from_db()
    verifier_l_appel(
        client,
        courriels,
        ["beta1"],
        f"Le bon de commande {bon.numero} est émis par la DEL : téléchargez-le et accusez-en "
        "réception.",
        bon,
    )


def test_un_desistement_appelle_l_emetteur_puis_l_avenant_emis_le_prestataire(client, demo):
    """KAOUMA withdraws from ALPHA's November order: its issuer issues the avenant, told why;
    issued, ALPHA's direction acknowledges it (not BETA's, not ALPHA's chargé)."""
    bon = BonDeCommande.objects.get(numero="BC-2026-0002")
    ligne = bon.lignes.get(prescription__demandeur__nom="KAOUMA")
    motif = "Désistement de KAOUMA Rose : Retourne vivre à Lifou."
    avenant = []
    courriels = courriels_pendant(
        lambda: avenant.append(
            commandes.desister(ligne, par=demo["alpha1"], motif="Retourne vivre à Lifou.")
        )
    )
    (avenant,) = avenant
    verifier_l_appel(
        client,
        courriels,
        ["gestionnaire1"],
        "Un avenant au bon de commande BC-2026-0002 est à émettre : retrait d'un bénéficiaire "
        "(désistement).",
        avenant,
        motif,
    )

    courriels = courriels_pendant(
        lambda: commandes.emettre_avenant(avenant, par=demo["gestionnaire1"])
    )
    avenant.refresh_from_db()
    verifier_l_appel(
        client,
        courriels,
        ["alpha1"],
        f"L'avenant {avenant.numero} est émis par la DEL : téléchargez-le et accusez-en réception.",
        avenant,
        motif,
    )


# --- États de rémunération ----------------------------------------------------------------


def test_un_mois_ouvert_appelle_la_direction_du_prestataire_seule(client, demo):
    alpha = Prestataire.objects.get(code="ALPHA")
    with a("2026-12-01"):
        courriels = courriels_pendant(lambda: remunerations.ouvrir_etat(alpha, date(2026, 11, 1)))
    etat = EtatRemuneration.objects.get(prestataire=alpha, mois=date(2026, 11, 1))
    verifier_l_appel(
        client,
        courriels,
        ["alpha1"],
        "L'état de rémunération de novembre 2026 est ouvert : déclarez ce que vous avez versé à "
        "chaque stagiaire et soumettez-le au plus tard le 10/12/2026.",
        etat,
    )


def test_un_etat_soumis_appelle_la_finance_et_renvoye_revient_avec_ses_commentaires(client, demo):
    """ALPHA's October, declared in the demo: submitted, finance reconciles it; sent back with
    a comment on OUNEMOA's line, ALPHA's direction is told which line and why, and its task
    says the état came back."""
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    with a("2026-11-24"):
        courriels = courriels_pendant(lambda: remunerations.soumettre(etat, par=demo["alpha1"]))
    verifier_l_appel(
        client,
        courriels,
        ["finance1"],
        "L'état de rémunération d'octobre 2026 est soumis par ALPHA : rapprochez-le, puis "
        "acceptez-le ou renvoyez-le.",
        etat,
    )

    ounemoa = next(ligne for ligne in calcul.releve(etat).lignes if ligne.nom == "OUNEMOA")
    commentaire = "Il manque 1 000 F : versez le complément."
    with a("2026-11-25"):
        courriels = courriels_pendant(
            lambda: remunerations.renvoyer(
                etat, par=demo["finance1"], commentaires={remunerations.cle(ounemoa): commentaire}
            )
        )
    motif = f"OUNEMOA Cindy : octobre 2026 : {commentaire}"
    verifier_l_appel(
        client,
        courriels,
        ["alpha1"],
        "L'état de rémunération d'octobre 2026 vous est renvoyé par la finance : corrigez les "
        "lignes commentées et soumettez-le de nouveau.",
        etat,
        motif,
    )
    declarer = etat.process.flow_class.declarer
    assert titre_de_la_tache(etat, declarer) == (
        f"Corriger l'état de rémunération renvoyé par la finance : {motif}"
    )


# --- Bilan de fin de parcours -------------------------------------------------------------


def test_un_bilan_transmis_appelle_les_gestionnaires_et_renvoye_revient_a_la_direction(
    client, demo
):
    """ALPHA's summer session's bilan, sent: the DEL's gestionnaires examine it; sent back for
    completion, ALPHA's direction is told why, and its task says the bilan came back."""
    bilan = BilanFinParcours.objects.get(bon__numero="BC-2026-0001")
    courriels = courriels_pendant(
        lambda: bilans.enregistrer_bilan_transmis(bilan, par=demo["alpha1"], le=date(2026, 11, 24))
    )
    verifier_l_appel(
        client,
        courriels,
        ["gestionnaire1"],
        "Le bilan de fin de parcours de la session BC-2026-0001 est transmis par ALPHA : "
        "examinez-le, puis acceptez-le ou renvoyez-le pour complément.",
        bilan,
    )

    motif = "L'appréciation de GOPOEA ne dit pas ce qui a motivé sa suspension."
    bilan.refresh_from_db()
    courriels = courriels_pendant(
        lambda: bilans.renvoyer(bilan, par=demo["gestionnaire1"], motif=motif)
    )
    verifier_l_appel(
        client,
        courriels,
        ["alpha1"],
        "Le bilan de fin de parcours de la session BC-2026-0001 vous est renvoyé par la DEL : "
        "complétez-le et transmettez-le de nouveau.",
        bilan,
        motif,
    )
    rediger = bilan.process.flow_class.rediger
    assert titre_de_la_tache(bilan, rediger) == f"Compléter le bilan renvoyé par la DEL : {motif}"
