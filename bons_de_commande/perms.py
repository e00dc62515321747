"""Who may do what on the orders and their avenants: the rules the transitions name as their
permission and the pages and services check."""

from accounts.roles import suit_seulement_ses_parcours


def gere_les_commandes(record, user) -> bool:
    """The DEL's gestionnaires issue, cancel and close the orders, issue their avenants and
    name the substitutes of withdrawn people."""
    return not user.prestataire_id and user.has_perm("bons_de_commande.emettre_bondecommande")


def est_du_prestataire(record, user) -> bool:
    """An order or avenant is acknowledged by the prestataire it is addressed to: by its
    direction, since the acknowledgement commits the structure to every person on it."""
    return (
        user.prestataire_id is not None
        and user.prestataire_id == record.prestataire_id
        and user.has_perm("bons_de_commande.accuser_bondecommande")
    )


def lit_les_documents_emis(user) -> bool:
    """The PDF of an order or an avenant is the document as issued (archived, with its
    SHA-256): it names every person and duration on it and cannot be cut to one chargé's
    people without ceasing to be the order. A chargé d'insertion reads the lines of his people
    on the order's page, not its PDF."""
    return not suit_seulement_ses_parcours(user)
