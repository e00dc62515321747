from decimal import Decimal

from django import forms

from prestataires.models import Parcours

from .services import HEURES_ABSENCE_MAX, cle

MOIS_FORMAT = "%Y-%m"


class MoisField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MOIS_FORMAT)
    input_formats = [MOIS_FORMAT]
    default_error_messages = {"invalid": "Indiquez un mois sous la forme AAAA-MM."}


class OuvrirEtatForm(forms.Form):
    mois = MoisField(label="Mois à déclarer")


def _heures(ligne, initial):
    return forms.DecimalField(
        label=f"Heures d'absence injustifiée : {ligne.prenom} {ligne.nom}",
        min_value=Decimal(0),
        max_value=HEURES_ABSENCE_MAX,
        max_digits=6,
        decimal_places=2,
        initial=initial,
        error_messages={
            "max_value": f"Au plus {HEURES_ABSENCE_MAX} heures (un mois de SMG).",
            "min_value": "Les heures d'absence ne peuvent pas être négatives.",
        },
    )


class DeclarationForm(forms.Form):
    """One row of fields per line of the état: absence hours, amount paid and CAFAT cover
    paid (an adjustment line takes late absence hours and what was paid to settle it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lignes, version, **kwargs):
        super().__init__(*args, initial={"version": version}, **kwargs)
        self.lignes = lignes
        for ligne in lignes:
            declaree, k = ligne.declaree, cle(ligne)
            self.fields[f"h_{k}"] = _heures(ligne, ligne.absences_heures)
            self.fields[f"d_{k}"] = forms.IntegerField(
                label=f"Montant versé : {ligne.prenom} {ligne.nom}",
                required=False,
                min_value=None if ligne.ajustement else 0,
                initial=declaree.montant_declare if declaree else None,
                error_messages={"min_value": "Un montant versé ne peut pas être négatif."},
            )
            if not ligne.ajustement:
                self.fields[f"c_{k}"] = forms.IntegerField(
                    label=f"CAFAT versée : {ligne.prenom} {ligne.nom}",
                    required=False,
                    min_value=0,
                    initial=declaree.cafat_declaree if declaree else None,
                    error_messages={"min_value": "Une cotisation ne peut pas être négative."},
                )

    def placer_dans_les_lignes(self):
        """Give each line of the table its bound fields."""
        for ligne in self.lignes:
            k = cle(ligne)
            ligne.champ_heures, ligne.champ_verse = self[f"h_{k}"], self[f"d_{k}"]
            ligne.champ_cafat = None if ligne.ajustement else self[f"c_{k}"]

    def declarations(self) -> dict[str, dict]:
        donnees = self.cleaned_data
        resultat = {}
        for ligne in self.lignes:
            k = cle(ligne)
            valeurs = {
                "absences_heures": donnees[f"h_{k}"] or Decimal(0),
                "montant_declare": donnees[f"d_{k}"],
            }
            if not ligne.ajustement:
                valeurs["cafat_declaree"] = donnees[f"c_{k}"]
            resultat[k] = valeurs
        return resultat


class RenvoiForm(forms.Form):
    """Finance comments each line to correct; at least one."""

    def __init__(self, *args, lignes, **kwargs):
        super().__init__(*args, **kwargs)
        self.lignes = lignes
        for ligne in lignes:
            self.fields[f"n_{cle(ligne)}"] = forms.CharField(
                label=f"Commentaire : {ligne.prenom} {ligne.nom}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def placer_dans_les_lignes(self):
        for ligne in self.lignes:
            ligne.champ_note = self[f"n_{cle(ligne)}"]

    def commentaires(self) -> dict[str, str]:
        return {cle(ligne): self.cleaned_data[f"n_{cle(ligne)}"] for ligne in self.lignes}

    def clean(self):
        if self.is_bound and not any(
            (self.cleaned_data.get(f"n_{cle(ligne)}") or "").strip() for ligne in self.lignes
        ):
            raise forms.ValidationError("Commentez au moins une ligne à corriger.")
        return self.cleaned_data


class ParcoursParReference(forms.ModelChoiceField):
    """A stagiaire typed by the reference of its prescription (shown under its name on the
    état): a list of every stagiaire a prestataire ever had would weigh on the page."""

    widget = forms.TextInput(attrs={"placeholder": "PR-000123", "autocomplete": "off"})
    default_error_messages = {
        "invalid_choice": "Aucun stagiaire de votre structure n'a cette référence."
    }

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Parcours.objects.none(), to_field_name="ligne__prescription__reference",
            **kwargs,
        )  # fmt: skip

    def to_python(self, value):
        return super().to_python((value or "").strip().upper())


class RegularisationForm(forms.Form):
    """A late unjustified absence on a month already reconciled."""

    parcours = ParcoursParReference(
        label="Référence du stagiaire",
        help_text="La référence de sa prescription, sous son nom dans les lignes de l'état.",
    )
    mois = MoisField(label="Mois rapproché concerné")
    absences_heures = forms.DecimalField(
        label="Heures d'absence injustifiée à ajouter",
        min_value=Decimal("0.01"),
        max_value=HEURES_ABSENCE_MAX,
        max_digits=6,
        decimal_places=2,
    )

    def __init__(self, *args, etat, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].queryset = (
            Parcours.objects.filter(prestataire_id=etat.prestataire_id, date_entree__isnull=False)
            .select_related("demandeur", "lot")
            .order_by("demandeur__nom", "demandeur__prenom")
        )
