"""The filters of the list of états de rémunération (django-filter, read from the page's GET)."""

from django_filters import ChoiceFilter

from procurement.filters import PrestatairesFilterSet

from .enums import EtatDeclaration


class EtatRemunerationFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatDeclaration.choices)
