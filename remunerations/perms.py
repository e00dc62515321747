"""Who declares an état de rémunération and who reconciles it: the rules its transitions name
as their permission and its pages and services check."""


def declare_pour(user) -> int | None:
    """The prestataire whose états this user declares (its direction), or None."""
    if user.prestataire_id and user.has_perm("remunerations.declarer_etatremuneration"):
        return user.prestataire_id
    return None


def rapproche(user) -> bool:
    """Finance staff of the DEL reconcile; never a prestataire's user."""
    return not user.prestataire_id and user.has_perm("remunerations.rapprocher_etatremuneration")


def peut_declarer(etat, user) -> bool:
    return declare_pour(user) == etat.prestataire_id


def peut_rapprocher(etat, user) -> bool:
    return rapproche(user)
