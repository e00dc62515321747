"""The prestataire's forms: what is typed on a parcours, a stage, a module or a company."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from procurement.forms import DateInput
from procurement.models import Frein, TypeSortie, today

from .enums import ETATS_ACTIFS, MotifSuspension, Satisfaction, StatutAction, TypeFin
from .models import (
    ActionPlan,
    ContactMaintien,
    Entreprise,
    Evaluation,
    ModuleCollectif,
    Parcours,
    RendezVous,
    Stage,
)
from .models.stages import normaliser_ridet

TEXTE_COURT = forms.Textarea(attrs={"rows": 3})


def champ_date(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class AttributionForm(forms.Form):
    charge = forms.ModelChoiceField(label="Chargé d'insertion", queryset=User.objects.none())

    def __init__(self, *args, prestataire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charge"].queryset = User.objects.filter(
            prestataire=prestataire, is_active=True
        )


class EntreeForm(forms.Form):
    date_premier_contact = champ_date("Date du premier contact")
    date_entree = champ_date("Date d'entrée en parcours", initial=today)


class ProjetForm(forms.Form):
    projet = forms.CharField(label="Projet professionnel validé", widget=TEXTE_COURT)
    valide_le = champ_date("Validé et contractualisé le", initial=today)


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["etape", "intitule", "echeance"]
        widgets = {"echeance": DateInput()}


class StatutActionForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=StatutAction.choices)


class RendezVousForm(forms.ModelForm):
    class Meta:
        model = RendezVous
        fields = ["date", "nature", "module", "objet", "freins_travailles", "freins_leves"]
        widgets = {
            "date": DateInput(),
            "objet": TEXTE_COURT,
            "freins_travailles": forms.CheckboxSelectMultiple,
            "freins_leves": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = parcours.modules.all()
        for champ in ("freins_travailles", "freins_leves"):
            self.fields[champ].queryset = Frein.objects.proposables(
                garder=getattr(self.instance, champ).values("pk") if self.instance.pk else ()
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("module") and cleaned.get("nature") != "collectif":
            self.add_error("module", "Un module collectif va avec un atelier collectif.")
        return cleaned


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["moment", "date", *Evaluation.AXES, "commentaire"]
        widgets = {"date": DateInput(), "commentaire": TEXTE_COURT}


class SuspensionForm(forms.Form):
    debut = champ_date("Suspendu à partir du", initial=today)
    motif = forms.ChoiceField(label="Motif", choices=MotifSuspension.choices)
    commentaire = forms.CharField(label="Précisions", widget=TEXTE_COURT, required=False)


class RepriseForm(forms.Form):
    reprise = champ_date("Reprise le", initial=today)


class SortieForm(forms.Form):
    date_sortie = champ_date("Date de sortie", initial=today)
    type_fin = forms.ChoiceField(label="Fin du parcours", choices=TypeFin.choices)
    type_sortie = forms.ModelChoiceField(
        label="Situation à la sortie",
        queryset=TypeSortie.objects.none(),
        help_text="La classe de la sortie (emploi durable, dynamique, positive) en découle.",
    )
    # Required as services.PRECISIONS_DE_LA_FIN says, which the service checks.
    motif_sortie = forms.CharField(
        label="Motif de la sortie anticipée ou de la rupture",
        widget=TEXTE_COURT,
        required=False,
        help_text="Requis pour une sortie anticipée (par exemple une embauche avant le terme) "
        "ou une rupture.",
    )
    difficultes = forms.CharField(
        label="Difficultés rencontrées",
        widget=TEXTE_COURT,
        required=False,
        help_text="Requises pour une rupture : le bilan détaille les difficultés qui y ont mené.",
    )
    preconisations = forms.CharField(
        label="Préconisations",
        widget=TEXTE_COURT,
        required=False,
        help_text="Requises pour une rupture.",
    )
    satisfaction = forms.TypedChoiceField(
        label="Satisfaction de la personne",
        choices=[("", "Non recueillie"), *Satisfaction.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_sortie"].queryset = TypeSortie.objects.proposables()


class ContactMaintienForm(forms.ModelForm):
    class Meta:
        model = ContactMaintien
        fields = ["date", "nature", "toujours_en_emploi", "compte_rendu"]
        widgets = {"date": DateInput(), "compte_rendu": TEXTE_COURT}


class ClotureMaintienForm(forms.Form):
    motif = forms.CharField(
        label="Pourquoi clore avant les 3 mois ?", widget=TEXTE_COURT, required=False
    )


# --- Stages -------------------------------------------------------------------------------


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = [
            "entreprise", "objet", "objectifs", "tuteur_nom", "tuteur_fonction", "debut", "fin",
            "heures_hebdo", "activites_competences", "criteres_evaluation",
        ]  # fmt: skip
        widgets = {
            "debut": DateInput(),
            "fin": DateInput(),
            "objectifs": TEXTE_COURT,
            "activites_competences": TEXTE_COURT,
            "criteres_evaluation": TEXTE_COURT,
        }

    def __init__(self, *args, prestataire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entreprise"].queryset = Entreprise.objects.filter(prestataire=prestataire)

    def clean(self):
        """The end before the start is told on the end's field, in French, before the
        database's constraint (stage_fin_apres_debut) would name itself."""
        cleaned = super().clean()
        if cleaned.get("debut") and cleaned.get("fin") and cleaned["fin"] < cleaned["debut"]:
            self.add_error("fin", "La fin du stage précède son début.")
        return cleaned


class VerificationsForm(forms.Form):
    conditions_accueil = forms.BooleanField(
        label="Conditions d'accueil vérifiées dans l'entreprise", required=False
    )
    convention = forms.BooleanField(
        label="Convention signée par l'entreprise, le stagiaire et le prestataire",
        required=False,
    )


class VerificationStageForm(forms.Form):
    verifie_le = champ_date("Vérifications faites le", initial=today)


class VisiteForm(forms.Form):
    date = champ_date("Date de la visite", initial=today)
    compte_rendu = forms.CharField(label="Compte rendu", widget=TEXTE_COURT)


class BilanStageForm(forms.Form):
    termine_le = champ_date("Stage terminé le", initial=today)
    bilan_entreprise = forms.CharField(
        label="Bilan de stage avec l'entreprise", widget=TEXTE_COURT, required=False
    )
    rapport_stage = forms.CharField(label="Rapport de stage", widget=TEXTE_COURT, required=False)


# --- Register of host companies, collective modules -----------------------------------------


class EntrepriseForm(forms.ModelForm):
    class Meta:
        model = Entreprise
        fields = [
            "raison_sociale", "ridet", "secteur", "adresse", "commune", "contact_nom",
            "contact_fonction", "contact_telephone", "contact_email",
        ]  # fmt: skip

    def __init__(self, *args, prestataire, **kwargs):
        super().__init__(*args, **kwargs)
        self.prestataire = prestataire
        self.fields["ridet"].help_text = "Numéro RID et rang de l'établissement : 1234567.001"

    def clean_ridet(self):
        ridet = normaliser_ridet(self.cleaned_data["ridet"])
        doublon = Entreprise.objects.filter(prestataire=self.prestataire, ridet=ridet).exclude(
            pk=self.instance.pk
        )
        if doublon.exists():
            raise ValidationError(f"Ce RIDET est déjà au répertoire : {doublon.first()}.")
        return ridet


class ModuleForm(forms.ModelForm):
    class Meta:
        model = ModuleCollectif
        fields = ["intitule", "debut", "fin", "description"]
        widgets = {"debut": DateInput(), "fin": DateInput(), "description": TEXTE_COURT}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("debut") and cleaned.get("fin") and cleaned["fin"] < cleaned["debut"]:
            self.add_error("fin", "La fin du module précède son début.")
        return cleaned


class ParticipantsForm(forms.Form):
    parcours = forms.ModelMultipleChoiceField(
        label="Personnes à inscrire",
        queryset=Parcours.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, module, parcours_visibles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].queryset = (
            parcours_visibles.filter(etat__in=ETATS_ACTIFS)
            .exclude(modules=module)
            .select_related("demandeur", "lot")
            .order_by("demandeur__nom", "demandeur__prenom")
        )
