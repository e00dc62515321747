"""The viewflow processes of the DEL. Each flow reads like its diagram; the rules are elsewhere."""

from viewflow import this
from viewflow.workflow import flow

from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatBonDeCommande
from bons_de_commande.models import Avenant
from prestataires import services as parcours_services
from prestataires import suivi
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from procurement import services as prescriptions
from procurement.enums import EtatPrescription
from procurement.models import Prescription, SessionCommission
from remunerations import services as remunerations
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from reporting import bilans
from reporting.enums import EtatBilan
from reporting.models import BilanFinParcours

from . import appels, views
from .models import (
    AvenantProcess,
    BilanProcess,
    CommissionProcess,
    ParcoursProcess,
    PrescriptionProcess,
    RemunerationProcess,
)
from .notifications import une_fois_par_echeance
from .taches import enregistrer_flux, rattacher
from .verrou import verrou_du_processus


def _etat_est(etat):
    return lambda activation: activation.process.prescription.etat == etat


@enregistrer_flux(Prescription)
class PrescriptionFlow(flow.Flow):
    """Prescription d'un parcours

    A conseiller prescribes; a binôme prescription waits for the travailleur social's
    co-signature; the prescription is then submitted to the commission interne.
    """

    process_class = PrescriptionProcess
    process_title = "Prescription"
    process_description = (
        "Un conseiller prescrit un demandeur d'emploi sur un lot ; en binôme, le travailleur "
        "social co-signe ; la prescription est soumise à la commission interne."
    )
    process_summary_template = "{{ process.prescription }}"
    process_related = ("prescription__demandeur", "prescription__lot")
    lock_impl = verrou_du_processus

    prescrire = (
        flow.Start(views.PrescrireView.as_view())
        .Annotation(title="Prescrire un parcours")
        .Permission("procurement.add_prescription")
        .Next(this.aiguiller)
    )

    aiguiller = (
        flow.Switch()
        .Case(this.cosigner, _etat_est(EtatPrescription.ATTENTE_COSIGNATURE))
        .Case(this.soumise, _etat_est(EtatPrescription.SOUMISE))
        .Case(this.retiree, _etat_est(EtatPrescription.RETIREE))
        .Default(this.completer)
    )

    completer = (
        flow.View(views.CompleterView.as_view())
        .Annotation(title="Compléter et transmettre la prescription")
        .Permission("procurement.add_prescription")
        .Assign(lambda activation: activation.process.prescription.conseiller)
        .onCreate(appels.prescription_a_completer)
        .Next(this.aiguiller)
    )

    cosigner = (
        flow.View(views.CosignerView.as_view())
        .Annotation(title="Co-signer la prescription (binôme)")
        .Permission("procurement.cosign_prescription")
        .Assign(lambda activation: activation.process.prescription.travailleur_social)
        .onCreate(appels.prescription_a_cosigner)
        .OnTimeout(
            prescriptions.DELAI_RAPPEL_COSIGNATURE,
            this.rappeler_cosignature,
            interrupting=False,
            title="5 jours sans co-signature",
        )
        .Next(this.aiguiller)
    )

    rappeler_cosignature = (
        flow.Function(this.envoyer_rappel_cosignature)
        .Annotation(title="Rappeler le travailleur social")
        .Next(this.rappel_envoye)
    )
    rappel_envoye = flow.End().Annotation(title="Rappel envoyé")

    soumise = flow.End().Annotation(title="Soumise à la commission")
    retiree = flow.End().Annotation(title="Prescription retirée")

    @une_fois_par_echeance
    def envoyer_rappel_cosignature(self, activation):
        prescriptions.rappeler_cosignature(activation.process.prescription)


def _accuse_de_reception(titre, suite, appel):
    """The prestataire acknowledges an issued document; without it after 5 days, the issuer
    is alerted (a non-interrupting deadline: the acknowledgement stays to do). The flow names
    the alert `relancer_accuse`, ending in `alerte_envoyee`."""
    return (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title=titre)
        .Permission("bons_de_commande.accuser_bondecommande")
        .onCreate(appel)
        .OnTimeout(
            commandes.DELAI_ACCUSE_RECEPTION,
            this.relancer_accuse,
            interrupting=False,
            title="5 jours sans accusé de réception",
        )
        .Next(suite)
    )


def _relance_de_l_accuse():
    return (
        flow.Function(this.escalader_accuse)
        .Annotation(title="Alerter le gestionnaire")
        .Next(this.alerte_envoyee)
    )


def _bon(activation):
    return activation.process.session_commission.bon_de_commande


def _gestionnaire_de_la_session(activation):
    return activation.process.session_commission.cree_par


@enregistrer_flux(SessionCommission)
class CommissionFlow(flow.Flow):
    """Commission interne et bon de commande

    The gestionnaire opens a session and sets its agenda; the commission decides on each
    prescription and closes the session (minutes as PDF); the gestionnaire issues the order;
    the prestataire acknowledges it, which creates the parcours waiting for entry.
    """

    process_class = CommissionProcess
    process_title = "Commission et bon de commande"
    process_description = (
        "Ordre du jour, décisions de la commission interne, procès-verbal, bon de commande et "
        "accusé de réception du prestataire."
    )
    process_summary_template = "{{ process.session_commission }}"
    process_related = ("session_commission__lot", "session_commission__prestataire")
    lock_impl = verrou_du_processus

    ouvrir = (
        flow.Start(views.OuvrirSessionView.as_view())
        .Annotation(title="Ouvrir une séance de commission")
        .Permission("procurement.add_sessioncommission")
        .Next(this.preparer)
    )

    preparer = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Préparer l'ordre du jour")
        .Permission("procurement.change_sessioncommission")
        .Assign(_gestionnaire_de_la_session)
        .Next(this.deliberer)
    )

    deliberer = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Décider et clôturer la séance")
        .Permission("procurement.decider_sessioncommission")
        .onCreate(appels.seance_a_deliberer)
        .Next(this.a_commander)
    )

    a_commander = (
        flow.Switch()
        .Case(
            this.commander,
            lambda activation: hasattr(activation.process.session_commission, "bon_de_commande"),
        )
        .Default(this.sans_commande)
    )

    commander = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Émettre le bon de commande")
        .Permission("bons_de_commande.emettre_bondecommande")
        .Assign(_gestionnaire_de_la_session)
        .onCreate(appels.bon_a_emettre)
        .Next(this.emis_ou_annule)
    )

    emis_ou_annule = (
        flow.Switch()
        .Case(this.annule, lambda activation: _bon(activation).etat == EtatBonDeCommande.ANNULE)
        .Default(this.accuser_reception)
    )

    accuser_reception = _accuse_de_reception(
        "Accuser réception du bon de commande", this.lance, appels.bon_a_accuser
    )
    relancer_accuse = _relance_de_l_accuse()
    alerte_envoyee = flow.End().Annotation(title="Alerte envoyée")

    lance = flow.End().Annotation(title="Parcours en attente d'entrée")
    annule = flow.End().Annotation(title="Bon de commande annulé")
    sans_commande = flow.End().Annotation(title="Aucune entrée validée")

    def url_dossier(self, process):
        session = process.session_commission
        bon = getattr(session, "bon_de_commande", None)
        return bon.get_absolute_url() if bon else session.get_absolute_url()

    @une_fois_par_echeance
    def escalader_accuse(self, activation):
        commandes.alerter_bon_non_accuse(_bon(activation))


@enregistrer_flux(Avenant)
class AvenantFlow(flow.Flow):
    """Avenant à un bon de commande

    Started when a withdrawal is recorded or a substitute is validated: the gestionnaire
    issues the avenant, the prestataire acknowledges it.
    """

    process_class = AvenantProcess
    process_title = "Avenant"
    process_description = (
        "Retrait d'une personne désistée ou ajout d'un remplaçant validé : émission par la "
        "DEL, accusé de réception du prestataire."
    )
    process_summary_template = "{{ process.avenant }} ({{ process.avenant.bon }})"
    process_related = ("avenant__bon",)
    lock_impl = verrou_du_processus

    creer = flow.StartHandle(rattacher).Annotation(title="Avenant à émettre").Next(this.emettre)

    emettre = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Émettre l'avenant")
        .Permission("bons_de_commande.emettre_bondecommande")
        .Assign(lambda activation: activation.process.avenant.bon.emis_par)
        .onCreate(appels.avenant_a_emettre)
        .Next(this.accuser_reception)
    )

    accuser_reception = _accuse_de_reception(
        "Accuser réception de l'avenant", this.accuse, appels.avenant_a_accuser
    )
    relancer_accuse = _relance_de_l_accuse()
    alerte_envoyee = flow.End().Annotation(title="Alerte envoyée")
    accuse = flow.End().Annotation(title="Avenant accusé")

    def url_dossier(self, process):
        return process.avenant.get_absolute_url()

    @une_fois_par_echeance
    def escalader_accuse(self, activation):
        commandes.alerter_avenant_non_accuse(activation.process.avenant)


def _parcours_est(etat):
    return lambda activation: activation.process.parcours.etat == etat


@enregistrer_flux(Parcours)
class SuiviParcoursFlow(flow.Flow):
    """Parcours d'insertion

    Started when the prestataire acknowledges the order: it records the entry (the conseiller
    référent is alerted after 15 days without it), runs the parcours to its exit through its
    suspensions (one reaching 6 months alerts the conseiller référent), and follows
    a person who left into employment or activity for 3 months, closed by the prestataire or
    by itself at the end of the 3 months.
    """

    process_class = ParcoursProcess
    process_title = "Parcours"
    process_description = (
        "Entrée, plan d'action, stage, suspension, sortie et maintien dans l'emploi, chez le "
        "prestataire."
    )
    process_summary_template = "{{ process.parcours }}"
    process_related = ("parcours__demandeur", "parcours__lot")
    lock_impl = verrou_du_processus

    demarrer = (
        flow.StartHandle(rattacher).Annotation(title="Bon de commande accusé").Next(this.entrer)
    )

    entrer = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Enregistrer l'entrée")
        .Permission("prestataires.suivre_parcours")
        .OnTimeout(
            suivi.DELAI_ENTREE,
            this.alerter_conseiller,
            interrupting=False,
            title="15 jours sans entrée",
        )
        .Next(this.conduire)
    )

    alerter_conseiller = (
        flow.Function(this.alerter_entree_tardive)
        .Annotation(title="Alerter le conseiller référent")
        .Next(this.alerte_entree)
    )
    alerte_entree = flow.End().Annotation(title="Alerte envoyée")

    conduire = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Conduire le parcours jusqu'à la sortie")
        .Permission("prestataires.suivre_parcours")
        .Next(this.suspendu_ou_sorti)
    )

    suspendu_ou_sorti = (
        flow.Switch()
        .Case(this.reprendre, _parcours_est(EtatParcours.SUSPENDU))
        .Default(this.apres_sortie)
    )

    reprendre = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Reprendre le parcours suspendu (ou le terminer)")
        .Permission("prestataires.suivre_parcours")
        .OnTimeout(
            lambda activation: suivi.moment_alerte_suspension(activation.process.parcours),
            this.alerter_suspension,
            interrupting=False,
            title="6 mois de suspension",
        )
        .Next(this.repris_ou_sorti)
    )

    alerter_suspension = (
        flow.Function(this.alerter_suspension_longue)
        .Annotation(title="Alerter le conseiller référent")
        .Next(this.alerte_suspension)
    )
    alerte_suspension = flow.End().Annotation(title="Alerte envoyée")

    repris_ou_sorti = (
        flow.Switch()
        .Case(this.conduire, _parcours_est(EtatParcours.EN_COURS))
        .Default(this.apres_sortie)
    )

    apres_sortie = (
        flow.Switch()
        .Case(this.maintenir, _parcours_est(EtatParcours.MAINTIEN))
        .Default(this.termine)
    )

    maintenir = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Suivre le maintien dans l'emploi")
        .Permission("prestataires.suivre_parcours")
        .OnTimeout(
            lambda activation: parcours_services.moment_de_cloture_du_maintien(
                activation.process.parcours
            ),
            this.clore_maintien,
            title="3 mois après la sortie",
        )
        .Next(this.maintien_clos)
    )

    clore_maintien = (
        flow.Function(this.clore_maintien_echu)
        .Annotation(title="Clore le maintien")
        .Next(this.maintien_echu)
    )

    maintien_echu = flow.End().Annotation(title="Maintien clos au bout de 3 mois")
    maintien_clos = flow.End().Annotation(title="Maintien clos par le prestataire")
    termine = flow.End().Annotation(title="Parcours terminé")

    def url_dossier(self, process):
        return process.parcours.get_absolute_url()

    @une_fois_par_echeance
    def alerter_entree_tardive(self, activation):
        suivi.alerter_entree_tardive(activation.process.parcours)

    @une_fois_par_echeance
    def alerter_suspension_longue(self, activation):
        suivi.alerter_suspension_longue(activation.process.parcours)

    @une_fois_par_echeance
    def clore_maintien_echu(self, activation):
        parcours_services.clore_maintien_echu(activation.process.parcours)


@enregistrer_flux(EtatRemuneration)
class RemunerationFlow(flow.Flow):
    """État de rémunération des stagiaires

    Opened for each prestataire and month with stagiaires: the prestataire declares what it
    paid each stagiaire and submits by the 10th of the next month (finance is told when it
    does not); finance accepts it, which reconciles and freezes the month, or sends it back
    with a comment on each line to correct.
    """

    process_class = RemunerationProcess
    process_title = "État de rémunération"
    process_description = (
        "Déclaration mensuelle du prestataire (absences, montants versés, CAFAT), "
        "rapprochement par la finance."
    )
    process_summary_template = "{{ process.etat_remuneration }}"
    process_related = ("etat_remuneration__prestataire",)
    lock_impl = verrou_du_processus

    ouvrir = flow.StartHandle(rattacher).Annotation(title="Mois à déclarer").Next(this.declarer)

    declarer = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Déclarer et soumettre l'état de rémunération")
        .Permission("remunerations.declarer_etatremuneration")
        .onCreate(appels.etat_a_declarer)
        .OnTimeout(
            lambda activation: remunerations.moment_du_retard(activation.process.etat_remuneration),
            this.signaler_retard,
            interrupting=False,
            title="Non soumis le 10 du mois suivant",
        )
        .Next(this.rapprocher)
    )

    signaler_retard = (
        flow.Function(this.signaler_a_la_finance)
        .Annotation(title="Signaler le retard à la finance")
        .Next(this.retard_signale)
    )
    retard_signale = flow.End().Annotation(title="Retard signalé")

    rapprocher = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Rapprocher l'état : accepter ou renvoyer")
        .Permission("remunerations.rapprocher_etatremuneration")
        .onCreate(appels.etat_a_rapprocher)
        .Next(this.accepte_ou_renvoye)
    )

    accepte_ou_renvoye = (
        flow.Switch()
        .Case(
            this.declarer,
            lambda activation: activation.process.etat_remuneration.etat == EtatDeclaration.RENVOYE,
        )
        .Default(this.rapproche)
    )

    rapproche = flow.End().Annotation(title="Mois rapproché")

    def url_dossier(self, process):
        return process.etat_remuneration.get_absolute_url()

    @une_fois_par_echeance
    def signaler_a_la_finance(self, activation):
        remunerations.signaler_retard(activation.process.etat_remuneration)


@enregistrer_flux(BilanFinParcours)
class BilanFlow(flow.Flow):
    """Bilan de fin de parcours

    One per session (the parcours of one bon de commande and its avenants), opened when the
    order is acknowledged: the prestataire's direction writes it once the session is over and
    sends it, at the latest one month after the session's end; it is reminded 7 days before,
    and managers are alerted the day after the due date. The DEL accepts it or sends it back
    for completion. The due moments follow the session's end as its parcours move.
    """

    process_class = BilanProcess
    process_title = "Bilan de fin de parcours"
    process_description = (
        "Bilan nominatif d'une session, dû un mois après sa fin ; rappel et retard signalés."
    )
    process_summary_template = "{{ process.bilan }}"
    process_related = ("bilan__bon",)
    lock_impl = verrou_du_processus

    ouvrir = flow.StartHandle(rattacher).Annotation(title="Session commandée").Next(this.rediger)

    rediger = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Rédiger et transmettre le bilan de fin de parcours")
        .Permission("reporting.rediger_bilanfinparcours")
        .onCreate(appels.bilan_a_completer)
        .OnTimeout(
            lambda activation: bilans.moment_du_rappel(activation.process.bilan),
            this.rappeler,
            interrupting=False,
            title="7 jours avant l'échéance",
        )
        .OnTimeout(
            lambda activation: bilans.moment_du_retard(activation.process.bilan),
            this.signaler_retard,
            interrupting=False,
            title="Lendemain de l'échéance",
        )
        .Next(this.examiner)
    )

    rappeler = (
        flow.Function(this.rappeler_au_prestataire)
        .Annotation(title="Rappeler l'échéance au prestataire")
        .Next(this.rappel_envoye)
    )
    rappel_envoye = flow.End().Annotation(title="Rappel envoyé")

    signaler_retard = (
        flow.Function(this.signaler_aux_gestionnaires)
        .Annotation(title="Signaler le retard aux gestionnaires")
        .Next(this.retard_signale)
    )
    retard_signale = flow.End().Annotation(title="Retard signalé")

    examiner = (
        flow.View(views.VersDossierView.as_view())
        .Annotation(title="Examiner le bilan : accepter ou renvoyer")
        .Permission("reporting.examiner_bilanfinparcours")
        .onCreate(appels.bilan_a_examiner)
        .Next(this.accepte_ou_renvoye)
    )

    accepte_ou_renvoye = (
        flow.Switch()
        .Case(
            this.rediger,
            lambda activation: activation.process.bilan.etat == EtatBilan.A_COMPLETER,
        )
        .Default(this.accepte)
    )

    accepte = flow.End().Annotation(title="Bilan accepté")

    def url_dossier(self, process):
        return process.bilan.get_absolute_url()

    @une_fois_par_echeance
    def rappeler_au_prestataire(self, activation):
        bilans.rappeler(activation.process.bilan)

    @une_fois_par_echeance
    def signaler_aux_gestionnaires(self, activation):
        bilans.signaler_retard(activation.process.bilan)
