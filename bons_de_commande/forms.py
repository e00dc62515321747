import re

from django import forms
from django.db.models import Q

from procurement.enums import EtatPrescription
from procurement.models import Prescription

# Beyond this many possible substitutes, the form asks for one by its reference or name
# instead of listing them all: the order's page stays small however many are submitted.
REMPLACANTS_EN_LISTE = 30
# The prescriptions named when a search matches several.
PROPOSITIONS_AFFICHEES = 10
# "PR-000123", "pr123", "n° 123", "123": a prescription's reference, or its number.
REFERENCE = re.compile(r"^(?:PR-?|n°\s*)?0*(\d{1,9})$", re.IGNORECASE)


def remplacants_possibles(bon):
    """The prescriptions that may replace a withdrawn person of `bon` (the rule of
    services.proposer_remplacant): submitted, not yet proposed in another's place, for the
    order's prestataire on the order's lot; the oldest first."""
    return (
        Prescription.objects.filter(
            etat=EtatPrescription.SOUMISE,
            remplace__isnull=True,
            prestataire_id=bon.prestataire_id,
            lot_id=bon.lot_id,
        )
        .select_related("demandeur", "lot", "conseiller")
        .order_by("date_prescription", "pk")
    )


def libelle(prescription) -> str:
    return f"{prescription.demandeur} (n° {prescription.pk}, {prescription.conseiller})"


def premiers_remplacants(bon) -> list:
    """The possible substitutes of `bon`, read once for all its lines: all of them when they
    fit in a list, one more than that otherwise (the form then asks for a search)."""
    return list(remplacants_possibles(bon)[: REMPLACANTS_EN_LISTE + 1])


class RemplacantForm(forms.Form):
    """The DEL names a withdrawn person's substitute: chosen in a list when there are few
    candidates, typed (a reference, a number or a name) when there are many. Either way the
    server checks it is one of `remplacants_possibles`."""

    prescription = forms.CharField(
        label="Prescription du remplaçant",
        help_text="Une prescription soumise à la commission, chez le même prestataire et sur le "
        "même lot ; elle passera en commission puis rejoindra ce bon par avenant.",
    )

    def __init__(self, *args, ligne, candidats=None, **kwargs):
        super().__init__(*args, prefix=f"remplacant-{ligne.pk}", **kwargs)
        self.bon = ligne.bon
        candidats = premiers_remplacants(self.bon) if candidats is None else candidats
        champ = self.fields["prescription"]
        if len(candidats) <= REMPLACANTS_EN_LISTE:
            champ.widget = forms.Select(
                choices=[("", "---------")] + [(p.pk, libelle(p)) for p in candidats]
            )
        else:
            champ.label = "Référence ou nom du remplaçant"
            champ.help_text = (
                f"Plus de {REMPLACANTS_EN_LISTE} prescriptions soumises peuvent le remplacer : "
                "saisissez la référence (PR-000123) ou le nom de la personne. " + champ.help_text
            )
            champ.widget = forms.TextInput(attrs={"autocomplete": "off"})

    def clean_prescription(self):
        texte = self.cleaned_data["prescription"].strip()
        bon = self.bon
        possibles = remplacants_possibles(bon)
        lot, prestataire = bon.lot.numero, bon.prestataire
        reference = REFERENCE.match(texte)
        if reference:
            numero = int(reference.group(1))
            trouvee = possibles.filter(pk=numero).first()
            if trouvee:
                return trouvee
            autre = Prescription.objects.filter(pk=numero).select_related("lot").first()
            if autre is None:
                raise forms.ValidationError(f"Aucune prescription ne porte le n° {numero}.")
            if autre.prestataire_id == bon.prestataire_id and autre.lot_id != bon.lot_id:
                raise forms.ValidationError(
                    f"La prescription n° {numero} est sur le lot {autre.lot.numero} : le "
                    f"remplaçant doit être prescrit sur le lot {lot}, comme la personne qu'il "
                    "remplace."
                )
            raise forms.ValidationError(
                f"La prescription n° {numero} ne peut pas remplacer cette personne : seule une "
                f"prescription soumise chez {prestataire} sur le lot {lot}, pas encore "
                "proposée en remplacement, le peut."
            )
        mots = texte.split()
        if not mots:
            raise forms.ValidationError("Saisissez la référence ou le nom du remplaçant.")
        recherche = Q()
        for mot in mots:
            recherche &= Q(demandeur__nom__icontains=mot) | Q(demandeur__prenom__icontains=mot)
        trouvees = list(possibles.filter(recherche)[: PROPOSITIONS_AFFICHEES + 1])
        if len(trouvees) == 1:
            return trouvees[0]
        if not trouvees:
            raise forms.ValidationError(
                f"Aucune prescription soumise chez {prestataire} sur le lot {lot} ne "
                f"correspond à « {texte} »."
            )
        noms = ", ".join(libelle(p) for p in trouvees[:PROPOSITIONS_AFFICHEES])
        suite = " et d'autres" if len(trouvees) > PROPOSITIONS_AFFICHEES else ""
        raise forms.ValidationError(
            f"Plusieurs prescriptions correspondent à « {texte} » : {noms}{suite}. Saisissez "
            "la référence de celle qui convient."
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
