"""Who may do what on a parcours, its stages and the collective modules: the rules the
transitions name as their permission and the services check."""

from accounts.roles import suit_seulement_ses_parcours


def peut_conduire(parcours, user) -> bool:
    """The prestataire's staff who see the parcours run it: its chargé d'insertion and its
    direction. The DEL reads, never writes."""
    return (
        user.prestataire_id == parcours.prestataire_id
        and user.has_perm("prestataires.suivre_parcours")
        and (not suit_seulement_ses_parcours(user) or parcours.charge_id == user.pk)
    )


def peut_conduire_le_stage(stage, user) -> bool:
    """A stage is run by those who run its parcours."""
    return peut_conduire(stage.parcours, user)


def peut_attribuer(parcours, user) -> bool:
    """The prestataire's direction assigns its parcours to its chargés d'insertion."""
    return user.prestataire_id == parcours.prestataire_id and user.has_perm(
        "prestataires.attribuer_parcours"
    )


def peut_modifier_le_module(module, user) -> bool:
    """The prestataire's staff enrol and remove the participants of its own modules."""
    return user.prestataire_id == module.prestataire_id and user.has_perm(
        "prestataires.change_modulecollectif"
    )
