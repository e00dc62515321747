from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils.html import format_html

from accounts.models import User
from accounts.roles import Role

from .enums import Decision
from .models import (
    ETATS_EN_COURS,
    AttributionLot,
    Commune,
    Demandeur,
    Frein,
    NiveauFormation,
    PassageCommission,
    Prescription,
    SessionCommission,
    today,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CommuneField(forms.CharField):
    """A commune typed as its code or its name, accents and case ignored ("NOUMEA")."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Commune",
            max_length=60,
            widget=forms.TextInput(attrs={"list": "communes", "autocomplete": "off"}),
            help_text="Nom ou code d'une commune de la province Sud.",
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).first()
            return commune.libelle if commune else value
        return value

    def clean(self, value):
        value = super().clean(value)
        commune = Commune.objects.resolve(value)
        if commune is None:
            raise forms.ValidationError(
                f"Commune inconnue : « {value} ». Indiquez une commune de la province Sud "
                "(par exemple Nouméa, Dumbéa, Païta)."
            )
        return commune


class DemandeurForm(forms.ModelForm):
    commune = CommuneField()

    class Meta:
        model = Demandeur
        fields = [
            "nom",
            "prenom",
            "date_naissance",
            "genre",
            "niveau_formation",
            "commune",
            "adresse",
            "telephone",
            "email",
            "situation_logement",
            "reconnaissance_crhd",
            "date_reconnaissance_crhd",
        ]
        widgets = {"date_naissance": DateInput(), "date_reconnaissance_crhd": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau_formation"].queryset = NiveauFormation.objects.proposables(
            garder=[self.instance.niveau_formation_id]
        )

    def clean_commune(self):
        """A retired commune is no longer typed in, but the demandeur who lives there keeps it."""
        commune = self.cleaned_data["commune"]
        if commune.pk != self.instance.commune_id and not (
            Commune.objects.proposables().filter(pk=commune.pk).exists()
        ):
            raise forms.ValidationError(
                f"La commune « {commune} » est retirée du référentiel : indiquez-en une autre."
            )
        return commune

    def clean(self):
        cleaned = super().clean()
        nom, prenom, naissance = (cleaned.get(k) for k in ("nom", "prenom", "date_naissance"))
        if nom and prenom and naissance:
            candidat = Demandeur(pk=self.instance.pk, nom=nom, prenom=prenom)
            candidat.date_naissance = naissance
            existant = candidat.doublons().first()
            if existant:
                self.add_error(
                    "nom",
                    format_html(
                        "Ce demandeur est déjà enregistré : <a href='{}'>{}, né(e) le {}</a>. "
                        "Ouvrez sa fiche plutôt que d'en créer une seconde.",
                        existant.get_absolute_url(),
                        existant,
                        existant.date_naissance.strftime("%d/%m/%Y"),
                    ),
                )
        return cleaned


def travailleurs_sociaux():
    return User.objects.filter(is_active=True, groups__name=Role.TRAVAILLEUR_SOCIAL).order_by(
        "last_name", "first_name"
    )


class PrestataireSelect(forms.Select):
    """Each prestataire's option names the lots it holds today (data-lots, the lots' ids):
    the page offers only the holders of the lot chosen in the field `id_lot`
    (static/prescription.js); the form refuses any other all the same (clean)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots_tenus = {}
        self.attrs["data-selon-lot"] = "id_lot"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            lots = self.lots_tenus.get(value.value, ())
            option["attrs"]["data-lots"] = " ".join(str(lot) for lot in sorted(lots))
        return option


def freins_de_la_fiche(demandeur) -> list:
    """The freins the DEL already knows of the person (CCTP: tell it once): housing and
    disability from their record, and those of their latest prescription."""
    codes = []
    if demandeur.a_des_difficultes_de_logement:
        codes.append("logement")
    if demandeur.reconnaissance_crhd:
        codes.append("handicap")
    derniere = demandeur.prescriptions.order_by("-date_prescription", "-pk").first()
    connus = Q(code__in=codes)
    if derniere is not None:
        connus |= Q(pk__in=derniere.freins.values("pk"))
    return list(Frein.objects.proposables().filter(connus).values_list("pk", flat=True))


class PrescriptionForm(forms.ModelForm):
    """The conseiller's prescription: lot, prestataire, diagnostic, binôme, agreement."""

    class Meta:
        model = Prescription
        fields = [
            "lot",
            "prestataire",
            "motif",
            "freins",
            "resultat_attendu",
            "difficultes_logement",
            "travailleur_social",
            "accord_personne",
            "date_accord",
        ]
        widgets = {
            "freins": forms.CheckboxSelectMultiple,
            "date_accord": DateInput(),
            "motif": forms.Textarea(attrs={"rows": 3}),
            "resultat_attendu": forms.Textarea(attrs={"rows": 3}),
            "prestataire": PrestataireSelect,
        }

    def __init__(self, *args, demandeur, transmettre=False, **kwargs):
        if not kwargs.get("instance") or kwargs["instance"].pk is None:
            # A new prescription starts from what the person's record already says.
            kwargs["initial"] = {
                "difficultes_logement": demandeur.a_des_difficultes_de_logement,
                "freins": freins_de_la_fiche(demandeur),
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.demandeur = demandeur
        self.transmettre = transmettre
        self.fields["travailleur_social"].queryset = travailleurs_sociaux()
        self.fields["freins"].queryset = Frein.objects.proposables(
            garder=self.instance.freins.values("pk") if self.instance.pk else ()
        )
        en_vigueur = AttributionLot.objects.en_vigueur(today())
        self.fields["prestataire"].queryset = (
            self.fields["prestataire"].queryset.filter(attributions__in=en_vigueur).distinct()
        )
        lots_tenus = {}
        for prestataire, lot in en_vigueur.values_list("prestataire_id", "lot_id"):
            lots_tenus.setdefault(prestataire, set()).add(lot)
        self.fields["prestataire"].widget.lots_tenus = lots_tenus

    def clean_date_accord(self):
        date_accord = self.cleaned_data.get("date_accord")
        if date_accord and date_accord > today():
            raise forms.ValidationError("La date de l'accord ne peut pas être dans le futur.")
        return date_accord

    def clean(self):
        cleaned = super().clean()
        lot = cleaned.get("lot")
        prestataire = cleaned.get("prestataire")
        jour = self.instance.date_prescription or today()

        if lot and lot.reconnaissance_crhd_requise and not self.demandeur.reconnaissance_crhd:
            self.add_error(
                "lot",
                f"Le lot {lot.numero} est réservé aux personnes reconnues handicapées par la "
                "CRHD ; la fiche de ce demandeur ne mentionne pas de reconnaissance CRHD.",
            )
        if (
            lot
            and prestataire
            and not AttributionLot.objects.en_vigueur(jour)
            .filter(lot=lot, prestataire=prestataire)
            .exists()
        ):
            self.add_error(
                "prestataire",
                f"{prestataire.raison_sociale} ne tient pas le lot {lot.numero} au "
                f"{jour:%d/%m/%Y} : choisissez un prestataire titulaire de ce lot.",
            )

        logement = cleaned.get("difficultes_logement")
        ts = cleaned.get("travailleur_social")
        if logement and not ts:
            self.add_error(
                "travailleur_social",
                "Avec des difficultés de logement, la prescription se fait en binôme : "
                "désignez le travailleur social qui la co-signera.",
            )
        if ts and not logement:
            self.add_error(
                "travailleur_social",
                "Le binôme avec un travailleur social est réservé aux difficultés de "
                "logement : cochez-les ou retirez le travailleur social.",
            )
        if cleaned.get("accord_personne") and not cleaned.get("date_accord"):
            self.add_error(
                "date_accord", "Indiquez la date à laquelle la personne a donné son accord."
            )
        if cleaned.get("date_accord") and not cleaned.get("accord_personne"):
            self.add_error("accord_personne", "Cochez l'accord si la personne l'a donné.")
        # A draft may wait for the agreement; a transmitted prescription may not.
        if self.transmettre and not cleaned.get("accord_personne"):
            self.add_error(
                "accord_personne",
                "La prescription ne peut être transmise sans l'accord de la personne.",
            )

        en_cours = (
            Prescription.objects.filter(demandeur=self.demandeur)
            .filter(etat__in=ETATS_EN_COURS)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if en_cours:
            self.add_error(
                None,
                f"{self.demandeur} a déjà une prescription en cours (n° {en_cours.pk}, "
                f"{en_cours.get_etat_display().lower()}) : complétez-la ou retirez-la d'abord.",
            )
        return cleaned


class MotifForm(forms.Form):
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


# --- Commission interne -----------------------------------------------------------------------


class SessionCommissionForm(forms.ModelForm):
    class Meta:
        model = SessionCommission
        fields = ["date_seance", "lot", "prestataire", "membres_del", "membres_prestataire"]
        widgets = {
            "date_seance": DateInput(),
            "membres_del": forms.CheckboxSelectMultiple,
            "membres_prestataire": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "membres_del": "Agents du Service Emploi Logement qui siègent.",
            "membres_prestataire": "Représentants du prestataire titulaire du lot.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_seance"].initial = today()
        self.fields["membres_del"].queryset = (
            User.objects.filter(
                is_active=True,
                prestataire__isnull=True,
                groups__name__in=[Role.COMMISSION, Role.GESTIONNAIRE, Role.CONSEILLER],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["membres_prestataire"].queryset = (
            User.objects.filter(is_active=True, prestataire__isnull=False)
            .select_related("prestataire")
            .order_by("prestataire__code", "last_name")
        )
        self.fields["membres_prestataire"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.prestataire.code})"
        )

    def clean(self):
        cleaned = super().clean()
        lot, prestataire, jour = (
            cleaned.get("lot"),
            cleaned.get("prestataire"),
            cleaned.get("date_seance"),
        )
        if lot and prestataire and jour:
            titulaire = AttributionLot.objects.en_vigueur(jour).filter(
                lot=lot, prestataire=prestataire
            )
            if not titulaire.exists():
                self.add_error(
                    "prestataire",
                    f"{prestataire} ne détient pas le lot {lot.numero} au {jour:%d/%m/%Y}.",
                )
        if prestataire:
            autres = [
                user
                for user in cleaned.get("membres_prestataire", [])
                if user.prestataire_id != prestataire.pk
            ]
            if autres:
                self.add_error(
                    "membres_prestataire",
                    "Seuls les représentants de "
                    f"{prestataire} peuvent siéger pour le prestataire "
                    f"({', '.join(u.get_full_name() for u in autres)} n'en font pas partie).",
                )
        return cleaned


AGES_PRESCRIPTION = [("", "Toutes"), ("7", "Plus de 7 jours"), ("15", "Plus de 15 jours"),
                     ("30", "Plus de 30 jours")]  # fmt: skip


class AgendaFilterForm(forms.Form):
    """Filters of the prescriptions that can be put on a session's agenda."""

    anciennete = forms.ChoiceField(label="Ancienneté", choices=AGES_PRESCRIPTION, required=False)
    conseiller = forms.ModelChoiceField(
        label="Conseiller",
        queryset=User.objects.filter(groups__name=Role.CONSEILLER).order_by("last_name"),
        required=False,
        empty_label="Tous",
    )

    def filtrer(self, prescriptions):
        if not self.is_valid():
            return prescriptions
        if self.cleaned_data["anciennete"]:
            limite = today() - timedelta(days=int(self.cleaned_data["anciennete"]))
            prescriptions = prescriptions.filter(date_prescription__lte=limite)
        if self.cleaned_data["conseiller"]:
            prescriptions = prescriptions.filter(conseiller=self.cleaned_data["conseiller"])
        return prescriptions


def choix_des_motifs() -> list[tuple]:
    """The motifs of a refusal (the freins offered), as a decision form's choices."""
    return [("", "Choisir le motif"), *((f.pk, str(f)) for f in Frein.objects.proposables())]


class DecisionForm(forms.Form):
    """A member's decision on one prescription, or its correction until the session is closed.

    No decision is proposed: the member chooses one (CCTP, the commission decides each
    entry)."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision : validée, refusée ou ajournée."},
    )
    duree_mois = forms.IntegerField(label="Durée (mois)", required=False)
    motif_refus = forms.ModelChoiceField(
        label="Motif du refus", queryset=Frein.objects.none(), required=False
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire si ajournée : le conseiller le lira sur la prescription.",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, passage: PassageCommission, motifs=None, **kwargs):
        """`motifs`: the refusal's choices (choix_des_motifs()), read once for a page of
        forms; otherwise read for this one."""
        if passage.decision:
            kwargs.setdefault(
                "initial",
                {
                    "decision": passage.decision,
                    "duree_mois": passage.duree_mois,
                    "motif_refus": passage.motif_refus_id,
                    "commentaire": passage.commentaire,
                },
            )
        super().__init__(*args, prefix=f"passage-{passage.pk}", **kwargs)
        self.fields["version"].initial = passage.version
        self.fields["motif_refus"].queryset = Frein.objects.proposables()
        self.fields["motif_refus"].choices = motifs or choix_des_motifs()
        lot = passage.prescription.lot
        champ = self.fields["duree_mois"]
        champ.min_value, champ.max_value = lot.duree_min_mois, lot.duree_max_mois
        champ.widget.attrs.update(min=lot.duree_min_mois, max=lot.duree_max_mois)
        if not passage.decision:
            champ.initial = lot.duree_defaut_mois
        if lot.duree_min_mois == lot.duree_max_mois:
            champ.disabled = True
            champ.help_text = f"Fixée à {lot.duree_min_mois} mois pour le lot {lot.numero}."
        else:
            champ.help_text = (
                f"Obligatoire si validée : de {lot.duree_min_mois} à {lot.duree_max_mois} mois."
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.AJOURNEE and not cleaned.get("commentaire"):
            self.add_error(
                "commentaire",
                "Indiquez pourquoi la prescription est ajournée : ce commentaire revient au "
                "conseiller avec la prescription.",
            )
        return cleaned
