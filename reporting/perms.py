"""Who writes, sends and examines the bilans: the rules their transitions name as their
permission and their pages and services check."""


def peut_rediger(bilan, user) -> bool:
    """Only the prestataire's direction writes and sends its bilan de fin de parcours."""
    return user.prestataire_id == bilan.prestataire_id and user.has_perm(
        "reporting.rediger_bilanfinparcours"
    )


def peut_examiner(bilan, user) -> bool:
    """The DEL's gestionnaires accept a bilan de fin de parcours or send it back."""
    return not user.prestataire_id and user.has_perm("reporting.examiner_bilanfinparcours")


def peut_rediger_le_bilan_annuel(bilan, user) -> bool:
    """Only the prestataire's direction writes and sends its bilan annuel."""
    return user.prestataire_id == bilan.prestataire_id and user.has_perm(
        "reporting.rediger_bilanannuel"
    )
