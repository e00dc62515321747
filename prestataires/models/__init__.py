"""The supply side: each parcours a prestataire was ordered (`parcours.py`) and its stages en
entreprise with the companies that host them (`stages.py`). Every model is imported here, so
that Django registers it and `from prestataires.models import X` finds it; other names are
imported from their module."""

from .parcours import (
    ActionPlan,
    ContactMaintien,
    Evaluation,
    ModuleCollectif,
    Parcours,
    RendezVous,
    Suspension,
)
from .stages import Entreprise, Stage, VisiteStage

__all__ = [
    "ActionPlan",
    "ContactMaintien",
    "Entreprise",
    "Evaluation",
    "ModuleCollectif",
    "Parcours",
    "RendezVous",
    "Stage",
    "Suspension",
    "VisiteStage",
]
