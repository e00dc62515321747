"""Who each flow task asks to act, told when the task is created (its node's onCreate): what
to do, on which record, and why when the work comes back (workflows.notifications.appeler)."""

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from procurement.models import DECIDER
from remunerations.enums import EtatDeclaration
from reporting.enums import EtatBilan

from .notifications import appeler


def _direction_du_prestataire(dossier):
    """Whom a step of a prestataire's record calls: its direction, that prestataire's only."""
    return utilisateurs_du_role(Role.PRESTATAIRE_DIRECTION, prestataire_id=dossier.prestataire_id)


def _seance(session) -> str:
    return (
        f"La séance de la commission du {session.date_seance:%d/%m/%Y} (lot "
        f"{session.lot.numero}, {session.prestataire.code})"
    )


def _accuser(document) -> str:
    return f"{document} est émis par la DEL : téléchargez-le et accusez-en réception."


def _du_mois(etat) -> str:
    """ "d'octobre 2026", "de novembre 2026"."""
    mois = etat.libelle_mois
    return f"d'{mois}" if mois[0] in "aeiou" else f"de {mois}"


def prescription_a_completer(activation):
    """A draft is the conseiller's own; one sent back by the travailleur social is told."""
    prescription = activation.process.prescription
    if prescription.commentaire_renvoi:
        appeler(
            activation,
            prescription,
            [prescription.conseiller],
            f"La prescription n° {prescription.pk} ({prescription.demandeur}) vous est "
            "renvoyée par le travailleur social : complétez-la et transmettez-la de nouveau.",
            motif=prescription.commentaire_renvoi,
            titre="Compléter la prescription renvoyée par le travailleur social",
        )


def prescription_a_cosigner(activation):
    prescription = activation.process.prescription
    appeler(
        activation,
        prescription,
        [prescription.travailleur_social],
        f"La prescription n° {prescription.pk} ({prescription.demandeur}) attend votre "
        f"co-signature : {prescription.conseiller} la prescrit en binôme avec vous.",
    )


def seance_a_deliberer(activation):
    """The sitting is open: its DEL members who decide record the decisions (the
    prestataire's members sit, but do not use the application)."""
    session = activation.process.session_commission
    appeler(
        activation,
        session,
        [
            membre
            for membre in session.membres_del.filter(is_active=True).order_by("pk")
            if membre.has_perm(DECIDER)
        ],
        f"{_seance(session)} est ouverte : saisissez la décision de chaque prescription "
        "inscrite, puis clôturez la séance.",
    )


def bon_a_emettre(activation):
    session = activation.process.session_commission
    appeler(
        activation,
        session.bon_de_commande,
        [session.cree_par],
        f"{_seance(session)} est close : vérifiez et émettez le bon de commande des "
        "personnes validées.",
    )


def bon_a_accuser(activation):
    bon = activation.process.session_commission.bon_de_commande
    appeler(activation, bon, _direction_du_prestataire(bon), f"Le bon de commande {_accuser(bon)}")


def avenant_a_emettre(activation):
    """Its order's issuer issues it; an order taken over from the history has none: the
    gestionnaires, whose queue holds the task, are told."""
    avenant = activation.process.avenant
    emetteur = avenant.bon.emis_par
    appeler(
        activation,
        avenant,
        [emetteur] if emetteur else utilisateurs_du_role(Role.GESTIONNAIRE),
        f"Un avenant au bon de commande {avenant.bon} est à émettre : "
        f"{avenant.get_nature_display().lower()}.",
        motif=avenant.motif,
    )


def avenant_a_accuser(activation):
    avenant = activation.process.avenant
    appeler(
        activation,
        avenant,
        _direction_du_prestataire(avenant.bon),
        f"L'avenant {_accuser(avenant)}",
        motif=avenant.motif,
    )


def etat_a_declarer(activation):
    """The month opens, or finance sends the état back with a comment on each line to
    correct."""
    etat = activation.process.etat_remuneration
    libelle = f"L'état de rémunération {_du_mois(etat)}"
    if etat.etat != EtatDeclaration.RENVOYE:
        appeler(
            activation,
            etat,
            _direction_du_prestataire(etat),
            f"{libelle} est ouvert : déclarez ce que vous avez versé à chaque stagiaire et "
            f"soumettez-le au plus tard le {etat.date_limite:%d/%m/%Y}.",
        )
        return
    commentees = etat.lignes.exclude(commentaire_finance="").select_related("parcours__demandeur")
    appeler(
        activation,
        etat,
        _direction_du_prestataire(etat),
        f"{libelle} vous est renvoyé par la finance : corrigez les lignes commentées et "
        "soumettez-le de nouveau.",
        motif=" ; ".join(f"{ligne} : {ligne.commentaire_finance}" for ligne in commentees),
        titre="Corriger l'état de rémunération renvoyé par la finance",
    )


def etat_a_rapprocher(activation):
    etat = activation.process.etat_remuneration
    appeler(
        activation,
        etat,
        utilisateurs_du_role(Role.FINANCE),
        f"L'état de rémunération {_du_mois(etat)} est soumis par "
        f"{etat.prestataire.code} : rapprochez-le, puis acceptez-le ou renvoyez-le.",
    )


def bilan_a_completer(activation):
    """The first writing is reminded before its due date; a bilan sent back is told."""
    bilan = activation.process.bilan
    if bilan.etat == EtatBilan.A_COMPLETER:
        appeler(
            activation,
            bilan,
            _direction_du_prestataire(bilan),
            f"Le bilan de fin de parcours de la session {bilan.session} vous est renvoyé "
            "par la DEL : complétez-le et transmettez-le de nouveau.",
            motif=bilan.commentaire_del,
            titre="Compléter le bilan renvoyé par la DEL",
        )


def bilan_a_examiner(activation):
    bilan = activation.process.bilan
    appeler(
        activation,
        bilan,
        utilisateurs_du_role(Role.GESTIONNAIRE),
        f"Le bilan de fin de parcours de la session {bilan.session} est transmis par "
        f"{bilan.prestataire.code} : examinez-le, puis acceptez-le ou renvoyez-le pour "
        "complément.",
    )
