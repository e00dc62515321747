"""The viewflow processes of the DEL. Each flow reads like its diagram; the rules are elsewhere."""

from datetime import timedelta

from viewflow import this
from viewflow.workflow import flow, lock

from procurement.enums import EtatPrescription

from . import views
from .models import PrescriptionProcess
from .notifications import notifier

DELAI_RAPPEL_COSIGNATURE = timedelta(days=5)


def _etat_est(etat):
    return lambda activation: activation.process.prescription.etat == etat


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
    lock_impl = lock.select_for_update_lock

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
        .Next(this.aiguiller)
    )

    cosigner = (
        flow.View(views.CosignerView.as_view())
        .Annotation(title="Co-signer la prescription (binôme)")
        .Permission("procurement.cosign_prescription")
        .Assign(lambda activation: activation.process.prescription.travailleur_social)
        .OnTimeout(
            DELAI_RAPPEL_COSIGNATURE,
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

    def envoyer_rappel_cosignature(self, activation):
        prescription = activation.process.prescription
        notifier(
            prescription.travailleur_social,
            f"Rappel : la prescription n° {prescription.pk} ({prescription.demandeur}) attend "
            f"votre co-signature depuis {DELAI_RAPPEL_COSIGNATURE.days} jours.",
            lien=prescription.get_absolute_url(),
        )
