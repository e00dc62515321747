"""Running the flows' steps: from the records' pages, commands, demo data and tests.

The task views do the same through viewflow's view wrappers: lock, transaction, start, the
record's transition, then the task's completion; both commit together or not at all.
"""

from datetime import timedelta

from django.db import transaction

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from bons_de_commande import services as commandes
from prestataires import services as parcours_services
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from reporting.services import actualiser_bilan, ouvrir_bilan

from .notifications import notifier
from .taches import executer_tache, lancer, tache_en_attente


def _executer(record_process, node, par, action):
    return executer_tache(tache_en_attente(record_process, node), par=par, action=action)


def emettre_bon(bon, *, par):
    from .flows import CommissionFlow

    return _executer(
        bon.session.process, CommissionFlow.commander, par, lambda: commandes.emettre(bon, par=par)
    )


def annuler_bon(bon, *, par, motif):
    from .flows import CommissionFlow

    return _executer(
        bon.session.process,
        CommissionFlow.commander,
        par,
        lambda: commandes.annuler(bon, par=par, motif=motif),
    )


def accuser_bon(bon, *, par):
    """The prestataire acknowledges the order: each person's parcours starts its process, and
    the session its bilan de fin de parcours."""
    from .flows import CommissionFlow

    def accuser():
        parcours_list = demarrer_parcours(commandes.accuser_reception(bon, par=par))
        ouvrir_bilan(bon)
        return parcours_list

    return _executer(bon.session.process, CommissionFlow.accuser_reception, par, accuser)


def demarrer_avenant(avenant):
    return lancer(avenant, "creer")


def desister(ligne, *, par, motif):
    """A withdrawal before the entry: the avenant starts, the parcours' process stops."""
    from .flows import SuiviParcoursFlow

    with transaction.atomic():
        avenant = commandes.desister(ligne, par=par, motif=motif)
        demarrer_avenant(avenant)
        parcours = Parcours.objects.filter(ligne=ligne, process__isnull=False).first()
        if parcours is not None:
            SuiviParcoursFlow.instance.cancel(parcours.process)
        actualiser_bilan(ligne.bon)
    return avenant


def emettre_avenant(avenant, *, par):
    from .flows import AvenantFlow

    return _executer(
        avenant.process,
        AvenantFlow.emettre,
        par,
        lambda: commandes.emettre_avenant(avenant, par=par),
    )


def accuser_avenant(avenant, *, par):
    from .flows import AvenantFlow

    def accuser():
        parcours_list = demarrer_parcours(commandes.accuser_avenant(avenant, par=par))
        actualiser_bilan(avenant.bon)
        return parcours_list

    return _executer(avenant.process, AvenantFlow.accuser_reception, par, accuser)


def demarrer_parcours(parcours_list):
    for parcours in parcours_list:
        lancer(parcours, "demarrer")
    return parcours_list


# --- No silent parcours (DOMAIN.md) --------------------------------------------------------

SILENCE_REFERENT = timedelta(days=15)
SILENCE_CONSEILLER = timedelta(days=30)


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
            for prevu in parcours_services.contacts_prevus(parcours, dates)
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
