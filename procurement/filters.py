"""The filters of the DEL's lists (django-filter FilterSets, read from the page's GET), and what
the other apps' lists share: the DEL's prestataire filter, the search on a person's name."""

from django.db.models import Q
from django.http import QueryDict
from django_filters import CharFilter, ChoiceFilter, FilterSet

from accounts.roles import Role

from .enums import EtatPrescription, EtatSession
from .models import Lot, Prestataire
from .text import normalise


class PrestatairesFilterSet(FilterSet):
    """For a list of several prestataires' records: the DEL narrows it to one prestataire (by
    its code); a prestataire's users see only their own, so they have no such filter, and a
    `prestataire=` typed in the address is ignored."""

    prestataire = ChoiceFilter(label="Prestataire", field_name="prestataire__code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request.user.prestataire_id:
            del self.filters["prestataire"]
        else:
            codes = Prestataire.objects.order_by("code").values_list("code", flat=True)
            self.filters["prestataire"].field.choices = [(code, code) for code in codes]


class NomFilter(CharFilter):
    """A person's name or first name, compared without accents nor case ("hmae" finds HMAÉ)
    on the demandeur's duplicate key (`field_name`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, lookup_expr="contains", **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, normalise(value))


class DemandeurFilter(FilterSet):
    q = NomFilter(label="Nom ou prénom", field_name="cle_doublon")


class PrescriptionFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatPrescription.choices)
    lot = ChoiceFilter(label="Lot", field_name="lot__numero")
    mes = ChoiceFilter(
        label="Prescriptions",
        choices=[("1", "les miennes"), ("0", "toutes")],
        empty_label=None,
        method="les_miennes",
    )

    def __init__(self, data=None, *args, request, **kwargs):
        # A conseiller or a travailleur social first sees the prescriptions they follow.
        data = data.copy() if data else QueryDict(mutable=True)
        if "mes" not in data:
            suit = request.user.has_role(Role.CONSEILLER, Role.TRAVAILLEUR_SOCIAL)
            data["mes"] = "1" if suit else "0"
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["lot"].field.choices = [
            (lot.numero, f"Lot {lot.numero}") for lot in Lot.objects.all()
        ]

    def les_miennes(self, prescriptions, name, value):
        if value != "1":
            return prescriptions
        user = self.request.user
        return prescriptions.filter(Q(conseiller=user) | Q(travailleur_social=user))


class SessionFilter(PrestatairesFilterSet):
    etat = ChoiceFilter(label="État", choices=EtatSession.choices)
