"""Prescription and commission rules that views, flows, commands and tests all call.

Each rule runs one django-fsm transition and saves the record; the caller (a viewflow task
view, or the entry point of an action that is a step of a process) holds the process lock and
the database transaction around it.
"""

from collections import Counter
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import has_transition_perm

from documents.pdf import enregistrer_pdf
from workflows.actions import exiger_transition
from workflows.notifications import notifier
from workflows.taches import accomplir, demarrer

from .enums import Decision
from .models import ETATS_A_EXAMINER, PassageCommission, Prescription, SessionCommission
from .signals import seance_cloturee


def transmettre(prescription: Prescription, par) -> None:
    prescription.transmettre(par=par)
    prescription.save()


def lancer_prescription(activation, prescription, *, par, freins=(), transmettre=False):
    """Record a new prescription on the process being started, then start the process."""
    activation.process.save()
    prescription.process = activation.process
    prescription.save()
    prescription.freins.set(freins)
    if transmettre:
        prescription.transmettre(par=par)
        prescription.save()
    activation.execute()


def prescrire(prescription, *, par, freins=(), transmettre=False):
    """The conseiller prescribes, as the prescription's first page does (PrescrireView)."""
    demarrer(
        prescription,
        "prescrire",
        par=par,
        action=lambda activation: lancer_prescription(
            activation, prescription, par=par, freins=freins, transmettre=transmettre
        ),
    )
    return prescription


def _verifier_travailleur_social(transition, prescription: Prescription, par) -> None:
    if not has_transition_perm(transition, par):
        raise PermissionDenied(
            f"Seul le travailleur social désigné ({prescription.travailleur_social}) peut "
            "co-signer ou renvoyer cette prescription."
        )


def cosigner(prescription: Prescription, par) -> None:
    _verifier_travailleur_social(prescription.cosigner, prescription, par)
    prescription.cosigner(par=par)
    prescription.save()


# A binôme prescription not co-signed 5 days after it was sent: the travailleur social is
# reminded once (the flow's timer).
DELAI_RAPPEL_COSIGNATURE = timedelta(days=5)


def rappeler_cosignature(prescription: Prescription) -> None:
    notifier(
        prescription.travailleur_social,
        f"Rappel : la prescription n° {prescription.pk} ({prescription.demandeur}) attend "
        f"votre co-signature depuis {DELAI_RAPPEL_COSIGNATURE.days} jours.",
        lien=prescription.get_absolute_url(),
    )


def renvoyer(prescription: Prescription, par, motif: str) -> None:
    _verifier_travailleur_social(prescription.renvoyer, prescription, par)
    prescription.renvoyer(par=par, motif=motif)
    prescription.save()


def retirer(prescription: Prescription, par, motif: str) -> None:
    prescription.retirer(par=par, motif=motif)
    prescription.save()


# --- Commission interne ---------------------------------------------------------------------


def duree_validee(lot, duree_mois) -> int:
    """The parcours duration the commission may validate on a lot (CCTP, "durée").

    Lot 1: set per person, in whole months, within the lot's bounds (1 to 24). Lot 2: fixed
    (8 months), whatever was typed.
    """
    if lot.duree_min_mois == lot.duree_max_mois:
        return lot.duree_min_mois
    if duree_mois in (None, ""):
        raise ValidationError(
            {"duree_mois": f"Indiquez la durée du parcours en mois (lot {lot.numero})."}
        )
    if not lot.duree_min_mois <= duree_mois <= lot.duree_max_mois:
        raise ValidationError(
            {
                "duree_mois": f"La durée doit être comprise entre {lot.duree_min_mois} et "
                f"{lot.duree_max_mois} mois pour le lot {lot.numero}."
            }
        )
    return duree_mois


ORDRE_DU_JOUR_ARRETE = "L'ordre du jour de cette séance est arrêté : la séance est ouverte."


def inscrire(session: SessionCommission, prescriptions, par) -> int:
    """Put submitted (or adjourned) prescriptions of the session's lot on its agenda."""
    session = SessionCommission.objects.select_for_update().get(pk=session.pk)
    if not session.ordre_du_jour_modifiable:
        raise ValidationError(ORDRE_DU_JOUR_ARRETE)
    pks = [p.pk for p in prescriptions]
    for prescription in Prescription.objects.select_for_update().filter(pk__in=pks):
        if (prescription.lot_id, prescription.prestataire_id) != (
            session.lot_id,
            session.prestataire_id,
        ):
            raise ValidationError(
                f"La prescription n° {prescription.pk} ne relève pas de cette séance (lot "
                f"{session.lot.numero}, {session.prestataire.code})."
            )
        if prescription.etat not in ETATS_A_EXAMINER:
            raise ValidationError(
                f"La prescription n° {prescription.pk} ({prescription.demandeur}) n'est pas à "
                f"examiner : {prescription.get_etat_display().lower()}."
            )
        prescription.inscrire(par=par, motif=str(session))
        prescription.save()
        PassageCommission.objects.create(session=session, prescription=prescription)
    return len(pks)


def desinscrire(passage: PassageCommission, par) -> None:
    session = SessionCommission.objects.select_for_update().get(pk=passage.session_id)
    if not session.ordre_du_jour_modifiable:
        raise ValidationError(ORDRE_DU_JOUR_ARRETE)
    prescription = Prescription.objects.select_for_update().get(pk=passage.prescription_id)
    prescription.desinscrire(par=par, motif=f"Retirée de l'ordre du jour : {session}")
    prescription.save()
    passage.delete()


def lancer_session(activation, session, *, par, membres_del, membres_prestataire):
    """Record a new commission session on the process being started, then start it."""
    activation.process.save()
    session.cree_par = par
    session.process = activation.process
    session.save()
    session.membres_del.set(membres_del)
    session.membres_prestataire.set(membres_prestataire)
    activation.execute()
    return session


def ouvrir_session(session, *, par, membres_del, membres_prestataire=()):
    """The gestionnaire opens a session, as its first page does (OuvrirSessionView)."""
    return demarrer(
        session,
        "ouvrir",
        par=par,
        action=lambda activation: lancer_session(
            activation,
            session,
            par=par,
            membres_del=membres_del,
            membres_prestataire=membres_prestataire,
        ),
    )


def _ouvrir_seance(session: SessionCommission, par) -> None:
    exiger_transition(
        session.ouvrir_seance,
        par,
        refus="Inscrivez au moins une prescription à l'ordre du jour."
        if session.ordre_du_jour_modifiable
        else ORDRE_DU_JOUR_ARRETE,
    )
    session.ouvrir_seance(par=par)
    session.save()


def ouvrir_seance(session: SessionCommission, *, par) -> None:
    """The agenda is set: the members of the commission may decide."""
    accomplir(session.process, "preparer", par=par, action=lambda: _ouvrir_seance(session, par))


SEANCE_FERMEE = "La séance n'est pas ouverte : aucune décision ne peut être saisie."


class DecisionDejaPrise(ValidationError):
    pass


def _motif_de_la_decision(passage) -> str:
    """What a decision's line in the prescription's history says of it."""
    if passage.decision == Decision.VALIDEE:
        return f"Durée validée : {passage.duree_mois} mois"
    if passage.decision == Decision.REFUSEE:
        return f"Motif : {passage.motif_refus}. {passage.commentaire}".strip()
    return passage.commentaire


@transaction.atomic
def decider(
    passage, *, par, decision, duree_mois=None, motif_refus=None, commentaire="", version=""
):
    """Record the commission's decision on one prescription, or correct it, until the session
    is closed.

    `version` is the decision the member saw on the page (PassageCommission.version, "" when
    there was none): the agenda line is locked, and one taken or corrected meanwhile by
    another member wins; the second is told so and nothing of theirs is written.
    """
    passage = (
        PassageCommission.objects.select_for_update(of=("self",))
        .select_related("session", "prescription__lot", "decide_par")
        .get(pk=passage.pk)
    )
    if passage.version != (version or ""):
        raise DecisionDejaPrise(
            f"La décision sur {passage.prescription.demandeur} a déjà été prise "
            f"({passage.get_decision_display().lower()}, par {passage.decide_par} le "
            f"{timezone.localtime(passage.decide_le):%d/%m/%Y à %H:%M}) : relisez-la avant "
            "de la corriger."
        )
    if not passage.session.en_seance:
        raise ValidationError(SEANCE_FERMEE)
    prescription = Prescription.objects.select_for_update().get(pk=passage.prescription_id)
    if passage.decision and prescription.etat != passage.decision:
        raise ValidationError(
            f"La prescription n° {prescription.pk} ({prescription.demandeur}) est passée depuis "
            f"à l'état « {prescription.get_etat_display().lower()} » : cette décision ne peut "
            "plus être corrigée."
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choisissez une décision."})
    if decision == Decision.REFUSEE and motif_refus is None:
        raise ValidationError({"motif_refus": "Choisissez le motif du refus."})
    correction = bool(passage.decision)
    passage.decision = decision
    passage.duree_mois = (
        duree_validee(prescription.lot, duree_mois) if decision == Decision.VALIDEE else None
    )
    passage.motif_refus = motif_refus if decision == Decision.REFUSEE else None
    passage.commentaire = commentaire
    motif = _motif_de_la_decision(passage)
    if correction:
        # One line in the history: from the decision corrected to the new one.
        prescription.corriger_decision(par=par, decision=decision, motif=motif)
    else:
        {
            Decision.VALIDEE: prescription.valider,
            Decision.REFUSEE: prescription.refuser,
            Decision.AJOURNEE: prescription.ajourner,
        }[decision](par=par, motif=motif)
    passage.decide_par = par
    passage.decide_le = timezone.now()
    prescription.save()
    passage.save()
    return passage


def verifier_cloture(session: SessionCommission, par) -> None:
    """What closing the sitting asks, checked before anything is written (and before the page
    asks the user to confirm): the member may close it, it is open, its day has come, and
    every prescription has a decision."""
    refus = SEANCE_FERMEE
    if session.en_seance and not session.date_atteinte():
        refus = (
            f"La séance du {session.date_seance:%d/%m/%Y} ne peut pas être clôturée avant ce "
            "jour : ses décisions deviennent définitives une fois la séance tenue."
        )
    exiger_transition(session.cloturer, par, refus=refus)
    sans_decision = session.passages.filter(decision="").select_related("prescription__demandeur")
    if sans_decision:
        noms = ", ".join(str(p.prescription.demandeur) for p in sans_decision)
        raise ValidationError(
            f"La séance ne peut être clôturée : {len(sans_decision)} prescription(s) sans "
            f"décision ({noms})."
        )


def _cloturer_seance(session: SessionCommission, par) -> SessionCommission:
    """Close the sitting once every prescription has a decision; its minutes are issued."""
    session = SessionCommission.objects.select_for_update().get(pk=session.pk)
    verifier_cloture(session, par)
    session.cloturer(par=par)
    passages = list(session.passages.pour_liste())
    session.proces_verbal = enregistrer_pdf(
        "pdf/proces_verbal.html",
        {
            "session": session,
            "passages": passages,
            "totaux": Counter(passage.decision for passage in passages),
        },
        f"PV-commission-{session.date_seance:%Y-%m-%d}-{session.prestataire.code}-{session.pk}.pdf",
    )
    session.save()
    for passage in passages:
        if passage.decision == Decision.AJOURNEE:
            _renvoyer_au_conseiller(passage)
    return session


def _renvoyer_au_conseiller(passage: PassageCommission) -> None:
    """An adjourned prescription comes back to its conseiller with the commission's comment
    (also shown on the prescription), once the decision is final."""
    prescription = passage.prescription
    commentaire = f" : {passage.commentaire}" if passage.commentaire else "."
    notifier(
        prescription.conseiller,
        f"La prescription n° {prescription.pk} ({prescription.demandeur}) a été ajournée par "
        f"la commission du {passage.session.date_seance:%d/%m/%Y}{commentaire}",
        lien=prescription.get_absolute_url(),
    )


def cloturer_seance(session: SessionCommission, *, par):
    """Close the sitting. What it decided is prepared in the same step by the apps downstream
    (seance_cloturee: bons_de_commande drafts the order of the people validated, and an avenant
    for each validated substitute). Returns that order, if the sitting made one."""

    def cloturer():
        cloturee = _cloturer_seance(session, par)
        seance_cloturee.send(sender=SessionCommission, session=cloturee, par=par)
        # The order points to its session (bons_de_commande's relation, read from here).
        return getattr(cloturee, "bon_de_commande", None)

    return accomplir(session.process, "deliberer", par=par, action=cloturer)
