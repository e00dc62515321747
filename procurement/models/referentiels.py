"""The référentiels of the public contract, kept by the administrateur in the Django admin:
reference lists (freins, niveaux de formation, communes, types de sortie), the two lots and
their duration rules, the prestataires and the lots they hold, and the SMG rates."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..enums import ClasseSortie
from ..text import normalise


class CodeLibelleQuerySet(models.QuerySet):
    def proposables(self, garder=()):
        """The entries a form offers today: those not retired, and those of `garder` (the
        pks a record already holds, so that editing it keeps them)."""
        return self.filter(
            Q(retire_le__isnull=True) | Q(retire_le__gt=timezone.localdate()) | Q(pk__in=garder)
        )


class CodeLibelle(models.Model):
    """A reference list entry: a stable code (docs/contrats.md §0) and a label free to change.

    An entry that records cite is never deleted (issue 16: the admin refuses, the records
    point to it with PROTECT); it is retired from a date, after which the forms stop offering
    it while the records that cite it keep showing it, and imported history may still cite
    it."""

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    retire_le = models.DateField(
        "retiré le",
        null=True,
        blank=True,
        help_text="À partir de cette date, les formulaires ne le proposent plus ; les dossiers "
        "qui le citent le gardent.",
    )

    objects = CodeLibelleQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["ordre", "libelle"]

    def __str__(self):
        return self.libelle


class Frein(CodeLibelle):
    """A frein à l'emploi; the same list gives the motifs de refus of the commission."""

    sensible = models.BooleanField(
        "donnée sensible",
        default=False,
        help_text="Santé, handicap, addictions, justice : jamais sur un document destiné à "
        "une entreprise d'accueil ou un employeur.",
    )

    class Meta(CodeLibelle.Meta):
        verbose_name = "frein à l'emploi"
        verbose_name_plural = "freins à l'emploi (et motifs de refus)"


class NiveauFormation(CodeLibelle):
    class Meta(CodeLibelle.Meta):
        verbose_name = "niveau de formation"
        verbose_name_plural = "niveaux de formation"


class CommuneManager(models.Manager.from_queryset(CodeLibelleQuerySet)):
    def resolve(self, text: str):
        """The commune whose code or name matches `text`, case and accents ignored, or None."""
        key = normalise(text)
        if not key:
            return None
        for commune in self.all():
            if key in (normalise(commune.code), normalise(commune.libelle)):
                return commune
        return None


class Commune(CodeLibelle):
    objects = CommuneManager()

    class Meta(CodeLibelle.Meta):
        verbose_name = "commune"
        verbose_name_plural = "communes de la province Sud"


class TypeSortie(CodeLibelle):
    classe = models.CharField(
        "classe", max_length=2, choices=ClasseSortie.choices, blank=True, default=""
    )

    class Meta(CodeLibelle.Meta):
        verbose_name = "type de sortie"
        verbose_name_plural = "types de sortie"


class Lot(models.Model):
    """One of the two lots of the public contract, with its duration rule (CCTP)."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    libelle = models.CharField("libellé", max_length=200)
    public = models.TextField("public visé", blank=True)
    duree_min_mois = models.PositiveSmallIntegerField("durée minimale (mois)")
    duree_max_mois = models.PositiveSmallIntegerField("durée maximale (mois)")
    duree_defaut_mois = models.PositiveSmallIntegerField(
        "durée par défaut (mois)", help_text="Durée moyenne proposée à la commission."
    )
    reconnaissance_crhd_requise = models.BooleanField(
        "réservé aux personnes reconnues par la CRHD", default=False
    )

    class Meta:
        verbose_name = "lot"
        ordering = ["numero"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duree_min_mois__gte=1)
                & Q(duree_min_mois__lte=models.F("duree_defaut_mois"))
                & Q(duree_defaut_mois__lte=models.F("duree_max_mois")),
                name="lot_durees_ordonnees",
                violation_error_message=(
                    "Les durées du lot doivent être ordonnées : au moins 1 mois, la durée minimale"
                    " au plus égale à la durée par défaut, elle-même au plus égale à la durée "
                    "maximale."
                ),
            )
        ]

    def __str__(self):
        return f"Lot {self.numero} : {self.libelle}"

    def clean(self):
        """Each disorder of the durations on the field to correct, before the database's
        constraint (lot_durees_ordonnees) would refuse them together."""
        minimum, defaut, maximum = self.duree_min_mois, self.duree_defaut_mois, self.duree_max_mois
        erreurs = {}
        if minimum is not None and minimum < 1:
            erreurs["duree_min_mois"] = "La durée minimale est d'au moins 1 mois."
        if None not in (minimum, defaut) and defaut < minimum:
            erreurs["duree_defaut_mois"] = "La durée par défaut est inférieure à la durée minimale."
        if None not in (defaut, maximum) and maximum < defaut:
            erreurs["duree_max_mois"] = "La durée maximale est inférieure à la durée par défaut."
        if erreurs:
            raise ValidationError(erreurs)


class Prestataire(models.Model):
    code = models.CharField(
        "code",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9_]+$", "Majuscules, chiffres et « _ » seulement.")],
    )
    raison_sociale = models.CharField("raison sociale", max_length=200)
    ridet = models.CharField("RIDET", max_length=20, blank=True)
    adresse = models.TextField("adresse", blank=True)
    email = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "prestataire"
        ordering = ["code"]

    def __str__(self):
        return f"{self.raison_sociale} ({self.code})"


class AttributionQuerySet(models.QuerySet):
    def en_vigueur(self, jour: date):
        return self.filter(Q(date_fin__isnull=True) | Q(date_fin__gte=jour), date_debut__lte=jour)


class AttributionLot(models.Model):
    """A prestataire holds a lot of the contract for a period, with a yearly volume."""

    prestataire = models.ForeignKey(
        Prestataire, on_delete=models.PROTECT, related_name="attributions"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="attributions")
    reference_marche = models.CharField("référence du marché", max_length=100)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    volume_annuel_min = models.PositiveSmallIntegerField("volume annuel minimal (personnes)")
    volume_annuel_max = models.PositiveSmallIntegerField("volume annuel maximal (personnes)")

    objects = AttributionQuerySet.as_manager()

    class Meta:
        verbose_name = "attribution d'un lot"
        verbose_name_plural = "attributions des lots"
        ordering = ["lot__numero", "prestataire__code", "-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="attribution_periode_ordonnee",
                violation_error_message="La fin de l'attribution précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(volume_annuel_min__lte=models.F("volume_annuel_max")),
                name="attribution_volume_ordonne",
                violation_error_message=(
                    "Le volume annuel minimal dépasse le volume annuel maximal."
                ),
            ),
        ]

    def __str__(self):
        fin = f" au {self.date_fin:%d/%m/%Y}" if self.date_fin else ""
        return f"{self.prestataire.code}, lot {self.lot.numero}, du {self.date_debut:%d/%m/%Y}{fin}"

    def clean(self):
        """A period or a volume out of order, told on the field to correct (the database's
        constraints would name themselves)."""
        erreurs = {}
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin de l'attribution précède son début."
        minimum, maximum = self.volume_annuel_min, self.volume_annuel_max
        if minimum is not None and maximum is not None and maximum < minimum:
            erreurs["volume_annuel_max"] = (
                "Le volume annuel maximal est inférieur au volume annuel minimal."
            )
        if erreurs:
            raise ValidationError(erreurs)


class TauxSMGQuerySet(models.QuerySet):
    def en_vigueur(self, jour: date) -> "TauxSMG":
        """The SMG rate in force on `jour`: the latest one whose start is on or before it."""
        taux = self.filter(date_effet__lte=jour).order_by("-date_effet").first()
        if taux is None:
            raise TauxSMG.DoesNotExist(f"Aucun taux de SMG en vigueur le {jour:%d/%m/%Y}.")
        return taux


class TauxSMG(models.Model):
    """The salaire minimum garanti, set by arrêté, always from the first day of a month."""

    HEURES_MENSUELLES = 169

    date_effet = models.DateField("en vigueur à partir du", unique=True)
    taux_horaire = models.DecimalField(
        "taux horaire (F CFP)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    arrete = models.CharField("arrêté", max_length=200)

    objects = TauxSMGQuerySet.as_manager()

    class Meta:
        verbose_name = "taux du SMG"
        verbose_name_plural = "taux du SMG"
        ordering = ["-date_effet"]

    def __str__(self):
        return f"SMG au {self.date_effet:%d/%m/%Y} : {self.taux_horaire} F/h"

    def clean(self):
        if self.date_effet and self.date_effet.day != 1:
            raise ValidationError(
                {"date_effet": "Un taux du SMG entre en vigueur le premier jour d'un mois."}
            )

    @property
    def montant_mensuel(self) -> int:
        """Monthly SMG: hourly rate × 169 h, rounded half up to the franc."""
        return int((self.taux_horaire * self.HEURES_MENSUELLES).quantize(Decimal(1), ROUND_HALF_UP))


def smg_en_vigueur(jour: date) -> TauxSMG:
    """The SMG rate in force on day `jour` (New Caledonia date)."""
    return TauxSMG.objects.en_vigueur(jour)
