"""The actions on a session's bilan de fin de parcours, one entry point each: its pages, the
history's import, the receivers of the upstream apps' signals and tests call these.

Each runs the bilan's rule (reporting/bilans.py) and its process's step in one transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from workflows.taches import accomplir, lancer, replanifier

from . import bilans
from .models import BilanFinParcours


def ouvrir_bilan(bon):
    """The session's bilan, with its process (and its timers), once per order."""
    with transaction.atomic():
        bilan, cree = bilans.ouvrir(bon)
        if cree:
            suivre_bilan(bilan)
    return bilan


def suivre_bilan(bilan):
    """Start the process that follows a bilan still to write: the prestataire's task, its
    reminder and the overdue alert (an imported session's bilan too)."""
    return lancer(bilan, "ouvrir")


def actualiser_bilan(bon):
    """The session's end moved: its bilan's due date and the timers waiting on it follow."""
    bilan = BilanFinParcours.objects.filter(bon=bon).first()
    if bilan is None or not bilans.actualiser_echeance(bilan) or bilan.process_id is None:
        return bilan
    replanifier(bilan)
    return bilan


def _suivi(bilan):
    if not bilan.suivi:
        raise ValidationError(
            "Ce bilan est repris de l'historique : transmis et examiné hors de l'application."
        )
    return bilan.process


def transmettre(bilan, *, par):
    return accomplir(
        _suivi(bilan), "rediger", par=par, action=lambda: bilans.transmettre(bilan, par=par)
    )


def enregistrer_bilan_transmis(bilan, *, par, le):
    """The history's import gives a followed bilan as sent on `le`, outside the application:
    its writing step is done, recorded by `par`, and the DEL examines it here."""
    return accomplir(
        bilan.process,
        "rediger",
        par=par,
        action=lambda: bilans.transmis_hors_application(bilan, par=par, le=le),
        hors_application=True,
    )


def renvoyer(bilan, *, par, motif):
    return accomplir(
        _suivi(bilan),
        "examiner",
        par=par,
        action=lambda: bilans.renvoyer(bilan, par=par, motif=motif),
    )


def accepter(bilan, *, par):
    return accomplir(
        _suivi(bilan), "examiner", par=par, action=lambda: bilans.accepter(bilan, par=par)
    )
