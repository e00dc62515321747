from django import forms

from procurement.enums import EtatPrescription
from procurement.models import Prescription


class RemplacantForm(forms.Form):
    prescription = forms.ModelChoiceField(
        label="Prescription du remplaçant",
        queryset=Prescription.objects.none(),
        help_text="Une prescription soumise à la commission, chez le même prestataire et sur le "
        "même lot ; elle passera en commission puis rejoindra ce bon par avenant.",
    )

    def __init__(self, *args, ligne, **kwargs):
        super().__init__(*args, prefix=f"remplacant-{ligne.pk}", **kwargs)
        self.fields["prescription"].queryset = Prescription.objects.pour_liste().filter(
            etat=EtatPrescription.SOUMISE,
            remplace__isnull=True,
            prestataire_id=ligne.bon.prestataire_id,
        )
        self.fields["prescription"].label_from_instance = lambda p: (
            f"{p.demandeur}, lot {p.lot.numero} (n° {p.pk}, {p.conseiller})"
        )


class CandidatForm(forms.Form):
    texte = forms.CharField(
        label="Candidat proposé",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Nom, prénom, date de naissance et pourquoi cette personne : le conseiller "
        "de la DEL la recevra et la prescrira s'il y a lieu.",
    )

    def __init__(self, *args, ligne, **kwargs):
        super().__init__(*args, prefix=f"candidat-{ligne.pk}", **kwargs)
