"""The demand side: référentiels of the public contract, demandeurs d'emploi, prescriptions
and the commission interne that decides on them. One module per part; every name is
re-exported here, so `from procurement.models import X` (and Django) find it."""

from .commission import (
    DECIDER,
    ETATS_A_EXAMINER,
    PREPARER,
    PassageCommission,
    PassageQuerySet,
    SessionCommission,
    SessionCommissionQuerySet,
)
from .demandeurs import (
    AGE_MINIMUM,
    Demandeur,
    age_le,
    cle_doublon,
    today,
)
from .prescriptions import (
    ETATS_EN_COURS,
    Prescription,
    PrescriptionQuerySet,
    reference_de_prescription,
)
from .referentiels import (
    AttributionLot,
    AttributionQuerySet,
    CodeLibelle,
    Commune,
    CommuneManager,
    Frein,
    Lot,
    NiveauFormation,
    Prestataire,
    TauxSMG,
    TauxSMGQuerySet,
    TypeSortie,
    smg_en_vigueur,
)

__all__ = [
    "CodeLibelle",
    "Frein",
    "NiveauFormation",
    "CommuneManager",
    "Commune",
    "TypeSortie",
    "Lot",
    "Prestataire",
    "AttributionQuerySet",
    "AttributionLot",
    "TauxSMGQuerySet",
    "TauxSMG",
    "smg_en_vigueur",
    "AGE_MINIMUM",
    "today",
    "age_le",
    "cle_doublon",
    "Demandeur",
    "ETATS_EN_COURS",
    "PrescriptionQuerySet",
    "reference_de_prescription",
    "Prescription",
    "ETATS_A_EXAMINER",
    "PREPARER",
    "DECIDER",
    "SessionCommissionQuerySet",
    "SessionCommission",
    "PassageQuerySet",
    "PassageCommission",
]
