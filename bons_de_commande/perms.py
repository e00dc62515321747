"""Who may do what on the orders and their avenants: the rules the transitions name as their
permission and the pages and services check."""


def gere_les_commandes(record, user) -> bool:
    """The DEL's gestionnaires issue, cancel and close the orders, issue their avenants and
    name the substitutes of withdrawn people."""
    return not user.prestataire_id and user.has_perm("bons_de_commande.emettre_bondecommande")


def est_du_prestataire(record, user) -> bool:
    """An order or avenant is acknowledged by the prestataire it is addressed to."""
    return user.prestataire_id is not None and user.prestataire_id == record.prestataire_id
