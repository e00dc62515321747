"""The demandeurs d'emploi the DEL registers, one row per person (same folded name and date
of birth is the same person), the age rules their registration checks, and `today()`: the
date in Nouméa that every date rule of the project starts from."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..enums import Genre, SituationLogement
from ..text import normalise
from .referentiels import Commune, NiveauFormation

AGE_MINIMUM = 16


def today() -> date:
    """Today in Pacific/Noumea, whatever the server's clock zone."""
    return timezone.localdate()


def age_le(date_naissance: date, jour: date) -> int:
    return (
        jour.year
        - date_naissance.year
        - ((jour.month, jour.day) < (date_naissance.month, date_naissance.day))
    )


def cle_doublon(nom: str, prenom: str) -> str:
    return f"{normalise(nom)}|{normalise(prenom)}"


class Demandeur(models.Model):
    """A demandeur d'emploi registered by the DEL."""

    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance")
    genre = models.CharField("genre", max_length=1, choices=Genre.choices)
    niveau_formation = models.ForeignKey(
        NiveauFormation, verbose_name="niveau de formation", on_delete=models.PROTECT
    )
    commune = models.ForeignKey(Commune, verbose_name="commune", on_delete=models.PROTECT)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    situation_logement = models.CharField(
        "situation de logement", max_length=20, choices=SituationLogement.choices
    )
    reconnaissance_crhd = models.BooleanField(
        "reconnaissance CRHD",
        default=False,
        help_text="Reconnu(e) handicapé(e) par la Commission de reconnaissance du handicap "
        "et de la dépendance : condition d'accès au lot 2.",
    )
    date_reconnaissance_crhd = models.DateField("date de la décision CRHD", null=True, blank=True)
    # Same name and date of birth is the same person: folded name, enforced by the database.
    cle_doublon = models.CharField(max_length=210, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.PROTECT,
        related_name="demandeurs_enregistres",
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "demandeur d'emploi"
        verbose_name_plural = "demandeurs d'emploi"
        ordering = ["nom", "prenom", "date_naissance"]
        constraints = [
            models.UniqueConstraint(
                fields=["cle_doublon", "date_naissance"],
                name="demandeur_identite_unique",
                violation_error_message=(
                    "Ce demandeur est déjà enregistré (même nom, même prénom, même date de "
                    "naissance)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reconnaissance_crhd=True) | Q(date_reconnaissance_crhd__isnull=True),
                name="demandeur_date_crhd_si_reconnu",
                violation_error_message=(
                    "Une date de reconnaissance CRHD n'est indiquée que pour une personne reconnue"
                    " par la CRHD."
                ),
            ),
        ]
        indexes = [models.Index(fields=["nom", "prenom"], name="demandeur_nom_idx")]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom}"

    def save(self, *args, **kwargs):
        self.cle_doublon = cle_doublon(self.nom, self.prenom)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("demandeurs:detail", args=[self.pk])

    @property
    def a_des_difficultes_de_logement(self) -> bool:
        """Housing at stake (accès ou maintien dans le logement): any situation but an
        autonomous home. A prescription then starts as a binôme's."""
        return bool(self.situation_logement) and (
            self.situation_logement != SituationLogement.AUTONOME
        )

    def doublons(self):
        """Already registered people with the same name and date of birth."""
        return Demandeur.objects.filter(
            cle_doublon=cle_doublon(self.nom, self.prenom), date_naissance=self.date_naissance
        ).exclude(pk=self.pk)

    def clean(self):
        errors = {}
        if self.date_naissance:
            jour = today()
            if self.date_naissance > jour:
                errors["date_naissance"] = "La date de naissance est dans le futur."
            elif age_le(self.date_naissance, jour) < AGE_MINIMUM:
                errors["date_naissance"] = (
                    f"Le demandeur doit avoir au moins {AGE_MINIMUM} ans "
                    f"(né(e) le {self.date_naissance:%d/%m/%Y})."
                )
        if self.date_reconnaissance_crhd and not self.reconnaissance_crhd:
            errors["date_reconnaissance_crhd"] = (
                "Une date de décision CRHD suppose la reconnaissance CRHD cochée."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def age(self) -> int:
        return age_le(self.date_naissance, today())
