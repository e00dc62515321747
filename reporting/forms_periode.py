"""The period, lot and prestataire the indicators are read over, and the opening of a bilan
annuel. A prestataire's users never choose the prestataire: theirs is forced."""

from datetime import date

from django import forms

from procurement.forms import DateInput
from procurement.models import Lot, Prestataire, today

from . import annuel

PERIODE_A_L_ENVERS = "La fin de la période doit être le même jour que son début ou après."


def _choix_des_lots():
    return [
        ("", "Tous les lots"),
        *((lot.numero, f"Lot {lot.numero}") for lot in Lot.objects.all()),
    ]


class PeriodeForm(forms.Form):
    """GET form of the indicators page: the period (both ends included), a lot, a
    prestataire (the DEL only)."""

    du = forms.DateField(label="Du", widget=DateInput())
    au = forms.DateField(label="Au", widget=DateInput())
    lot = forms.TypedChoiceField(label="Lot", coerce=int, required=False, empty_value=None)
    prestataire = forms.ModelChoiceField(
        label="Prestataire",
        queryset=Prestataire.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Tous les prestataires",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["lot"].choices = _choix_des_lots()
        if user.prestataire_id:
            del self.fields["prestataire"]

    @staticmethod
    def par_defaut() -> dict:
        """The current civil year up to today, Nouméa time."""
        jour = today()
        return {"du": date(jour.year, 1, 1).isoformat(), "au": jour.isoformat()}

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", PERIODE_A_L_ENVERS)
        return donnees

    def filtres(self) -> annuel.Filtres:
        """The cleaned filters; a prestataire's user only ever reads its own organisation."""
        donnees = self.cleaned_data
        if self.user.prestataire_id:
            code = self.user.prestataire.code
        else:
            code = donnees["prestataire"].code if donnees.get("prestataire") else None
        return annuel.Filtres(
            du=donnees["du"], au=donnees["au"], lot=donnees["lot"], prestataire=code
        )


class BilanAnnuelForm(forms.Form):
    """Open a bilan annuel: the prestataire's direction for a lot it holds, the DEL for any
    prestataire; over a civil year (1 January to 31 December) or any period."""

    prestataire = forms.ModelChoiceField(
        label="Prestataire", queryset=Prestataire.objects.order_by("code"), empty_label="—"
    )
    lot = forms.ModelChoiceField(label="Lot", queryset=Lot.objects.all(), empty_label="—")
    annee = forms.IntegerField(
        label="Année civile",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Du 1er janvier au 31 décembre. Laissez vide pour choisir une autre période.",
    )
    du = forms.DateField(label="Ou bien du", required=False, widget=DateInput())
    au = forms.DateField(label="au", required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["lot"].label_from_instance = lambda lot: f"Lot {lot.numero} : {lot.libelle}"
        if user.prestataire_id:
            del self.fields["prestataire"]
            lots = annuel.lots_tenus(user.prestataire_id)
            self.fields["lot"].queryset = lots
            if not self.is_bound and len(lots) == 1:
                self.initial.setdefault("lot", lots[0].pk)
        if not self.is_bound:
            self.initial.setdefault("annee", today().year)

    def clean(self):
        donnees = super().clean()
        annee, du, au = donnees.get("annee"), donnees.get("du"), donnees.get("au")
        if self.errors:
            return donnees
        if annee and (du or au):
            self.add_error(
                "annee",
                "Choisissez soit une année civile, soit une période (du, au), pas les deux.",
            )
        elif annee:
            donnees["du"], donnees["au"] = date(annee, 1, 1), date(annee, 12, 31)
        elif not (du and au):
            for champ in ("du", "au"):
                if not donnees.get(champ):
                    self.add_error(
                        champ, "Indiquez une année civile ou les deux dates de la période."
                    )
        elif du > au:
            self.add_error("au", PERIODE_A_L_ENVERS)
        return donnees

    def periode(self) -> dict:
        donnees = self.cleaned_data
        prestataire_id = self.user.prestataire_id or donnees["prestataire"].pk
        return {
            "prestataire_id": prestataire_id,
            "lot": donnees["lot"],
            "du": donnees["du"],
            "au": donnees["au"],
        }


class AnalyseForm(forms.Form):
    analyse = forms.CharField(
        label="Analyse qualitative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Déroulement de l'action sur la période, résultats au regard des objectifs, "
        "difficultés rencontrées, partenariats, perspectives et pistes d'amélioration.",
    )
