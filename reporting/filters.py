"""The filters of the reporting lists (django-filter, read from the page's GET)."""

from django import forms
from django_filters import BooleanFilter, ChoiceFilter, FilterSet

from documents.enums import DocumentNominatif
from procurement.filters import PrestatairesFilterSet
from procurement.models import today

from .enums import EtatBilan, EtatBilanAnnuel, ObjetExport


class BilanFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatBilan.choices)
    en_retard = BooleanFilter(
        label="En retard seulement", widget=forms.CheckboxInput, method="filtrer_en_retard"
    )

    def filtrer_en_retard(self, bilans, name, value):
        return bilans.en_retard_le(today()) if value else bilans


class BilanAnnuelFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatBilanAnnuel.choices)


class JournalExportFilter(FilterSet):
    objet = ChoiceFilter(
        label="Données",
        choices=ObjetExport.choices + DocumentNominatif.choices,
        empty_label="Toutes",
    )
