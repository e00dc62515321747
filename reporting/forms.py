from django import forms

from .enums import AtteinteObjectifs


class BilanForm(forms.Form):
    """The session's synthesis and, for each person, the attainment of their objectives and,
    for a rupture or an early exit, the difficulties met and the préconisations. A draft may
    be saved incomplete; sending it checks that nothing is missing."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    synthese = forms.CharField(
        label="Synthèse de la session",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Déroulement de la session, points forts, difficultés collectives.",
    )

    CHAMPS = ("atteinte_objectifs", "commentaire", "difficultes", "preconisations")

    def __init__(self, *args, personnes, version, synthese="", **kwargs):
        super().__init__(*args, initial={"version": version, "synthese": synthese}, **kwargs)
        self.personnes = personnes
        for personne in personnes:
            appreciation, cle = personne.appreciation, personne.parcours.pk
            nom = f"{personne.parcours.demandeur.prenom} {personne.parcours.demandeur.nom}"
            self.fields[f"p{cle}_atteinte_objectifs"] = forms.ChoiceField(
                label=f"Atteinte des objectifs de {nom}",
                choices=[("", "—"), *AtteinteObjectifs.choices],
                required=False,
                initial=appreciation.atteinte_objectifs,
            )
            self.fields[f"p{cle}_commentaire"] = forms.CharField(
                label=f"Appréciation de {nom}",
                required=False,
                initial=appreciation.commentaire,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if personne.rupture:
                for champ, libelle in (
                    ("difficultes", "Difficultés rencontrées"),
                    ("preconisations", "Préconisations"),
                ):
                    self.fields[f"p{cle}_{champ}"] = forms.CharField(
                        label=f"{libelle} ({nom})",
                        required=False,
                        initial=getattr(appreciation, champ),
                        widget=forms.Textarea(attrs={"rows": 2}),
                    )
            personne.champs = [
                self[f"p{cle}_{c}"] for c in self.CHAMPS if f"p{cle}_{c}" in self.fields
            ]

    def appreciations(self) -> dict[int, dict[str, str]]:
        resultat = {}
        for personne in self.personnes:
            cle = personne.parcours.pk
            resultat[cle] = {
                champ: self.cleaned_data[f"p{cle}_{champ}"]
                for champ in self.CHAMPS
                if f"p{cle}_{champ}" in self.fields
            }
        return resultat


class RenvoiBilanForm(forms.Form):
    motif = forms.CharField(
        label="Ce que le prestataire doit compléter",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Dites au prestataire ce qu'il doit compléter."},
    )
