"""The stage en entreprise of a parcours (CCTP, step 2) and the prestataire's register of host
companies it is done in. The rules of a stage are in `prestataires/stages.py`."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, transition

from workflows.models import champ_etat

from ..enums import ETATS_STAGE_NON_COMMENCE, EtatStage, ObjetStage
from ..perms import peut_conduire_le_stage
from .parcours import Parcours

RIDET = re.compile(r"^(\d{6,7})[ .]?(\d{3})$")


def normaliser_ridet(valeur: str) -> str:
    """A RIDET (RID of the company + 3-digit establishment rank) as "1234567.001"."""
    correspondance = RIDET.match((valeur or "").strip())
    if not correspondance:
        raise ValidationError(
            "Un RIDET s'écrit avec le numéro RID (6 ou 7 chiffres) et le rang de "
            "l'établissement (3 chiffres), par exemple 1234567.001."
        )
    rid, etablissement = correspondance.groups()
    return f"{rid.zfill(7)}.{etablissement}"


class Entreprise(models.Model):
    """A host company of the prestataire's register, shared by its staff."""

    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="entreprises"
    )
    raison_sociale = models.CharField("raison sociale", max_length=200)
    ridet = models.CharField("RIDET", max_length=11)
    secteur = models.CharField("secteur d'activité", max_length=150, blank=True)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    commune = models.ForeignKey(
        "procurement.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_nom = models.CharField("contact", max_length=150)
    contact_fonction = models.CharField("fonction du contact", max_length=150, blank=True)
    contact_telephone = models.CharField("téléphone", max_length=30, blank=True)
    contact_email = models.EmailField("courriel", blank=True)

    class Meta:
        verbose_name = "entreprise d'accueil"
        verbose_name_plural = "entreprises d'accueil"
        ordering = ["raison_sociale", "pk"]
        constraints = [
            # Companies of imported history may come without their RIDET (left empty).
            models.UniqueConstraint(
                fields=["prestataire", "ridet"],
                condition=~Q(ridet=""),
                name="entreprise_ridet_unique",
                violation_error_message=(
                    "Ce RIDET est déjà au répertoire des entreprises d'accueil."
                ),
            )
        ]

    def __str__(self):
        return f"{self.raison_sociale} (RIDET {self.ridet})"

    def get_absolute_url(self):
        return reverse("entreprises:change", args=[self.pk])


class Stage(ConcurrentTransitionMixin, models.Model):
    """A stage en entreprise: the convention, its checks before the start, follow-up visits,
    the bilan de stage written with the company and the rapport de stage (CCTP, step 2)."""

    parcours = models.ForeignKey(Parcours, on_delete=models.PROTECT, related_name="stages")
    entreprise = models.ForeignKey(
        Entreprise,
        verbose_name="entreprise d'accueil",
        on_delete=models.PROTECT,
        related_name="stages",
    )
    objet = models.CharField("objet du stage", max_length=20, choices=ObjetStage.choices)
    objectifs = models.TextField("objectifs opérationnels")
    tuteur_nom = models.CharField("tuteur", max_length=150)
    tuteur_fonction = models.CharField("fonction du tuteur", max_length=150, blank=True)
    debut = models.DateField("premier jour")
    fin = models.DateField("dernier jour")
    heures_hebdo = models.PositiveSmallIntegerField(
        "heures par semaine", validators=[MinValueValidator(1), MaxValueValidator(39)]
    )
    activites_competences = models.TextField("activités confiées et compétences visées")
    criteres_evaluation = models.TextField("critères de l'évaluation finale")
    etat = champ_etat(EtatStage, EtatStage.PREPARATION)
    conditions_accueil_verifiees = models.BooleanField(
        "conditions d'accueil vérifiées dans l'entreprise", default=False
    )
    convention_signee = models.BooleanField(
        "convention signée par l'entreprise, le stagiaire et le prestataire", default=False
    )
    verifie_le = models.DateField("vérifié le", null=True, blank=True)
    bilan_entreprise = models.TextField("bilan de stage avec l'entreprise", blank=True)
    rapport_stage = models.TextField("rapport de stage", blank=True)
    termine_le = models.DateField("terminé le", null=True, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "stage en entreprise"
        verbose_name_plural = "stages en entreprise"
        ordering = ["debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=models.F("debut")),
                name="stage_fin_apres_debut",
                violation_error_message="La fin du stage précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(heures_hebdo__range=(1, 39)),
                name="stage_heures_hebdo",
                violation_error_message="Un stage compte de 1 à 39 heures par semaine.",
            ),
        ]

    def __str__(self):
        return f"Stage chez {self.entreprise.raison_sociale} ({self.debut:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("parcours:stage", args=[self.pk])

    @property
    def en_preparation(self) -> bool:
        """The convention and its checks change until the checks are done (`verifier`)."""
        return self.etat == EtatStage.PREPARATION

    @property
    def en_cours(self) -> bool:
        """Between its start and its end: the follow-up visits are recorded."""
        return self.etat == EtatStage.EN_COURS

    @transition(
        field=etat,
        source=EtatStage.PREPARATION,
        target=EtatStage.VERIFIE,
        permission=peut_conduire_le_stage,
    )
    def verifier(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=EtatStage.VERIFIE,
        target=EtatStage.EN_COURS,
        permission=peut_conduire_le_stage,
    )
    def demarrer(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=EtatStage.EN_COURS,
        target=EtatStage.TERMINE,
        permission=peut_conduire_le_stage,
    )
    def terminer(self, *, par, motif=""):
        pass

    # Also when the parcours exits before the stage.
    @transition(
        field=etat,
        source=ETATS_STAGE_NON_COMMENCE,
        target=EtatStage.ANNULE,
        permission=peut_conduire_le_stage,
    )
    def annuler(self, *, par, motif):
        pass


class VisiteStage(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="visites")
    date = models.DateField("date")
    compte_rendu = models.TextField("compte rendu")
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "visite de suivi"
        verbose_name_plural = "visites de suivi"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"Visite du {self.date:%d/%m/%Y}"
