"""The filters of the prestataires' lists (django-filter, read from the page's GET)."""

from django.db.models import Q
from django_filters import CharFilter, ChoiceFilter

from procurement.filters import NomFilter, PrestatairesFilterSet

from .enums import EtatParcours


class ParcoursFilter(PrestatairesFilterSet):
    q = NomFilter(label="Personne", field_name="demandeur__cle_doublon")
    etat = ChoiceFilter(label="État", choices=EtatParcours.choices)


class EntrepriseFilter(PrestatairesFilterSet):
    q = CharFilter(label="Raison sociale ou RIDET", method="rechercher")

    def rechercher(self, entreprises, name, value):
        return entreprises.filter(Q(raison_sociale__icontains=value) | Q(ridet__icontains=value))


class ModuleFilter(PrestatairesFilterSet):
    """The DEL reads every prestataire's modules; a prestataire, its own."""
