"""Prescription rules that views, flows, commands and tests all call.

Each function runs one django-fsm transition and saves the record; the caller (a viewflow
task view) holds the process lock and the database transaction around it.
"""

from django.core.exceptions import PermissionDenied
from django_fsm import has_transition_perm

from .models import Prescription


def transmettre(prescription: Prescription, par) -> None:
    prescription.transmettre(par=par)
    prescription.save()


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


def renvoyer(prescription: Prescription, par, motif: str) -> None:
    _verifier_travailleur_social(prescription.renvoyer, prescription, par)
    prescription.renvoyer(par=par, motif=motif)
    prescription.save()


def retirer(prescription: Prescription, par, motif: str) -> None:
    prescription.retirer(par=par, motif=motif)
    prescription.save()
