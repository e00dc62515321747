"""Least knowledge in files (docs/domaine.md §4): what a document downloaded by a prestataire's
user may never carry, whichever document it is (exports, bilan annuel, ...).

On screen the prestataire's staff read the whole diagnostic of their parcours; a file leaves
the application (copied, mailed, kept on a laptop) out of reach of its access rules. So a
prestataire user's file leaves out these rubriques; the DEL's staff get everything. A sheet
names its column after the rubrique it carries, and `Feuille` drops it; a PDF template asks
`cache_au_prestataire`.
"""

from import_export import resources

RESERVEES_A_LA_DEL = frozenset(
    {
        # The free text of the prescription: it may describe health, disability, justice, and
        # cannot be screened.
        "motif_prescription",
        # The commission's motif de refus is a frein; its comments weigh the person's case.
        "motif_refus",
        "commentaire_commission",
        # Freins flagged sensitive: health, disability, addictions, justice.
        "freins_sensibles",
        # A recognised disability (CRHD).
        "reconnaissance_crhd",
        "adresse",
        "situation_logement",
    }
)


def pour_prestataire(user) -> bool:
    return user.prestataire_id is not None


def cache_au_prestataire(user, rubrique: str) -> bool:
    """Whether `user`'s documents leave `rubrique` out."""
    if rubrique not in RESERVEES_A_LA_DEL:
        raise ValueError(f"Rubrique inconnue de la règle de moindre connaissance : {rubrique}")
    return pour_prestataire(user)


class Feuille(resources.Resource):
    """A sheet (django-import-export) whose columns named after a rubrique reserved to the DEL
    are left out of a prestataire user's file."""

    def __init__(self, *, pour_prestataire: bool):
        super().__init__()
        if pour_prestataire:
            for colonne in RESERVEES_A_LA_DEL & set(self.fields):
                del self.fields[colonne]
