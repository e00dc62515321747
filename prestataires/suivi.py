"""The follow-up a parcours is owed, checked every day (`signaler_contacts_manques`) and read by
the managers' dashboard: no silent parcours (docs/domaine.md: 15 and 30 days without contact), the
maintien's planned contacts; and the alerts the parcours' process fires on its timers: the entry
expected after the order's acknowledgement, a suspension reaching 6 months."""

from datetime import datetime, timedelta

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from procurement.calendrier import a_minuit, ajouter_mois
from workflows.notifications import notifier

from .enums import EtatParcours
from .models import Parcours
from .services import contacts_prevus

# Issue 4: a parcours not entered 15 days after its order's acknowledgement is flagged (the
# flow's timer alerts the conseiller référent; the dashboard lists it).
DELAI_ENTREE = timedelta(days=15)

# docs/domaine.md: a suspension reaching 6 months alerts the conseiller référent.
DUREE_SUSPENSION_ALERTE_MOIS = 6

# No silent parcours: without a recorded contact, its referent is told after 15 days, the
# conseiller référent after 30.
SILENCE_REFERENT = timedelta(days=15)
SILENCE_CONSEILLER = timedelta(days=30)


def alerter_entree_tardive(parcours: Parcours) -> None:
    notifier(
        parcours.ligne.prescription.conseiller,
        f"{parcours.demandeur} n'est pas entré(e) en parcours chez {parcours.prestataire} "
        f"{DELAI_ENTREE.days} jours après l'accusé de réception de la commande.",
        lien=parcours.get_absolute_url(),
    )


def moment_alerte_suspension(parcours: Parcours) -> datetime:
    """Midnight, Nouméa time, 6 months after the start of the running suspension."""
    debut = parcours.suspensions.get(fin__isnull=True).debut
    return a_minuit(ajouter_mois(debut, DUREE_SUSPENSION_ALERTE_MOIS))


def alerter_suspension_longue(parcours: Parcours) -> None:
    notifier(
        parcours.ligne.prescription.conseiller,
        f"Le parcours de {parcours.demandeur} chez {parcours.prestataire} est suspendu "
        f"depuis {DUREE_SUSPENSION_ALERTE_MOIS} mois : décidez avec le prestataire de sa "
        "reprise ou de sa fin.",
        lien=parcours.get_absolute_url(),
    )


def signaler_contacts_manques(jour) -> int:
    """The daily check of the contacts a parcours owes: silences and maintien contacts."""
    return signaler_silences(jour) + signaler_contacts_maintien(jour)


def signaler_contacts_maintien(jour) -> int:
    """A planned maintien contact (1, 2, 3 months after the exit) not recorded within 7 days of
    its date is flagged to the parcours' referent, once."""
    envoyes = 0
    en_maintien = (
        Parcours.objects.filter(etat=EtatParcours.MAINTIEN)
        .select_related("demandeur", "charge")
        .prefetch_related("contacts_maintien")
    )
    for parcours in en_maintien:
        dates = [contact.date for contact in parcours.contacts_maintien.all()]
        manques = [
            prevu
            for prevu in contacts_prevus(parcours, dates)
            if prevu.manque_le(jour) and prevu.rang > parcours.contacts_maintien_signales
        ]
        if not manques:
            continue
        dernier = manques[-1]
        for referent in _referents(parcours):
            notifier(
                referent,
                f"Maintien de {parcours.demandeur} : le contact prévu le "
                f"{dernier.date:%d/%m/%Y} ({dernier.rang} mois après la sortie) n'est pas "
                "enregistré.",
                lien=parcours.get_absolute_url() + "#maintien",
            )
            envoyes += 1
        Parcours.objects.filter(pk=parcours.pk).update(contacts_maintien_signales=dernier.rang)
    return envoyes


def _referents(parcours):
    """Its chargé d'insertion, or the prestataire's direction when none is assigned."""
    if parcours.charge_id:
        return [parcours.charge]
    return list(
        utilisateurs_du_role(Role.PRESTATAIRE_DIRECTION, prestataire_id=parcours.prestataire_id)
    )


def signaler_silences(jour) -> int:
    """A running parcours with no recorded contact for 15 days is flagged to its referent, and
    after 30 days to the conseiller référent; once per silence (a new contact starts another).
    Returns the number of notices sent."""
    envoyes = 0
    silencieux = Parcours.objects.silencieux(jour, SILENCE_REFERENT).select_related(
        "demandeur", "prestataire", "charge", "ligne__prescription__conseiller"
    )
    for parcours in silencieux:
        depuis = f"depuis le {parcours.dernier_contact:%d/%m/%Y}"
        if parcours.silence_signale_le is None or parcours.silence_signale_le < (
            parcours.dernier_contact + SILENCE_REFERENT
        ):
            for referent in _referents(parcours):
                notifier(
                    referent,
                    f"Aucun contact avec {parcours.demandeur} {depuis} : reprenez contact.",
                    lien=parcours.get_absolute_url(),
                )
                envoyes += 1
            parcours.silence_signale_le = jour
        if jour - parcours.dernier_contact > SILENCE_CONSEILLER and (
            parcours.silence_escalade_le is None
            or parcours.silence_escalade_le < parcours.dernier_contact + SILENCE_CONSEILLER
        ):
            notifier(
                parcours.ligne.prescription.conseiller,
                f"Le parcours de {parcours.demandeur} chez {parcours.prestataire} est sans "
                f"contact {depuis}.",
                lien=parcours.get_absolute_url(),
            )
            envoyes += 1
            parcours.silence_escalade_le = jour
        Parcours.objects.filter(pk=parcours.pk).update(
            silence_signale_le=parcours.silence_signale_le,
            silence_escalade_le=parcours.silence_escalade_le,
        )
    return envoyes
