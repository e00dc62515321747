"""The filters of the list of bons de commande (django-filter, read from the page's GET)."""

from django_filters import ChoiceFilter

from procurement.filters import PrestatairesFilterSet

from .enums import EtatBonDeCommande


class BonFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatBonDeCommande.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request.user.prestataire_id:
            # A prestataire never sees a bon in preparation (BonDeCommande.visibles_par).
            self.filters["etat"].field.choices = [
                choix
                for choix in EtatBonDeCommande.choices
                if choix[0] != EtatBonDeCommande.BROUILLON
            ]
