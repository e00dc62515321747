"""The monthly état de rémunération of a prestataire and its lines (docs/domaine.md, "Stipend").

A line stores what the prestataire declares (absence hours, amount paid, social cover) and
the computation of what is due. While the état is open, remunerations.stockage keeps that
computation current (whenever the SMG, a parcours' dates, a suspension or the absence hours
change) along with the état's totals; once finance accepts the état, it is frozen: a
reconciled month never changes, whatever the SMG table or the parcours say later.
"""

from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django_fsm import transition

from accounts.models import auteur
from procurement.calendrier import ajouter_mois
from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from .enums import ETATS_MODIFIABLES, EtatDeclaration
from .perms import peut_declarer, peut_rapprocher

# Decision of the DEL: a month's état is due by the 10th of the next month.
JOUR_LIMITE_SOUMISSION = 10


def libelle_mois(mois: date) -> str:
    return date_format(mois, "F Y")


class EtatRemunerationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """A prestataire's users see their own organisation's états only; the DEL sees all."""
        if user.prestataire_id:
            return self.filter(prestataire_id=user.prestataire_id)
        return self


CHAMPS_TOTAUX = (
    "nombre_lignes",
    "lignes_completes",
    "montant_du",
    "montant_declare",
    "cafat_declaree",
    "ecart",
)


class EtatRemuneration(DossierDeProcessus):
    """What a prestataire paid its stagiaires for one month, reconciled by finance."""

    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="etats_remuneration"
    )
    mois = models.DateField("mois", help_text="Premier jour du mois payé.")
    etat = champ_etat(EtatDeclaration, EtatDeclaration.BROUILLON)
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Augmente à chaque enregistrement : deux saisies simultanées ne s'écrasent pas.",
    )
    soumis_le = models.DateTimeField("soumis le", null=True, blank=True, editable=False)
    soumis_par = auteur()
    accepte_le = models.DateTimeField("accepté le", null=True, blank=True, editable=False)
    accepte_par = auteur()
    retard_signale_le = models.DateTimeField(
        "retard signalé à la finance le", null=True, blank=True, editable=False
    )
    process = lien_processus("etat_remuneration")
    # The totals of the état's lines, kept by remunerations.stockage (never typed).
    nombre_lignes = models.PositiveIntegerField("lignes", default=0, editable=False)
    lignes_completes = models.PositiveIntegerField("lignes déclarées", default=0, editable=False)
    montant_du = models.IntegerField("montant dû (F CFP)", default=0, editable=False)
    montant_declare = models.IntegerField("montant versé (F CFP)", null=True, editable=False)
    cafat_declaree = models.IntegerField("CAFAT versée (F CFP)", null=True, editable=False)
    ecart = models.IntegerField("écart (F CFP)", null=True, editable=False)

    objects = EtatRemunerationQuerySet.as_manager()

    class Meta:
        verbose_name = "état de rémunération"
        verbose_name_plural = "états de rémunération"
        ordering = ["-mois", "prestataire__code"]
        permissions = [
            ("declarer_etatremuneration", "Déclarer et soumettre un état de rémunération"),
            ("rapprocher_etatremuneration", "Accepter ou renvoyer un état de rémunération"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["prestataire", "mois"],
                name="etat_un_par_mois",
                violation_error_message=(
                    "Ce prestataire a déjà un état de rémunération pour ce mois."
                ),
            ),
            models.CheckConstraint(
                condition=Q(mois__day=1),
                name="etat_premier_du_mois",
                violation_error_message=(
                    "Le mois d'un état de rémunération est daté du premier jour du mois."
                ),
            ),
        ]
        indexes = [models.Index(fields=["etat", "mois"], name="etat_remuneration_etat_idx")]

    def __str__(self):
        return f"État de rémunération {libelle_mois(self.mois)} : {self.prestataire.code}"

    def save(self, *args, **kwargs):
        """A full save of an état read before its totals last changed must not write them
        back: only remunerations.stockage writes the totals."""
        if kwargs.get("update_fields") is None and not self._state.adding and self.pk:
            kwargs["update_fields"] = [
                champ.name
                for champ in self._meta.concrete_fields
                if not champ.primary_key and champ.name not in CHAMPS_TOTAUX
            ]
        super().save(*args, **kwargs)

    @property
    def complet(self) -> bool:
        return self.lignes_completes == self.nombre_lignes

    def get_absolute_url(self):
        return reverse("remunerations:detail", args=[self.pk])

    @property
    def libelle_mois(self) -> str:
        return libelle_mois(self.mois)

    @property
    def date_limite(self) -> date:
        """The 10th of the next month: after it, a month not submitted is flagged to finance."""
        return ajouter_mois(self.mois, 1).replace(day=JOUR_LIMITE_SOUMISSION)

    @property
    def modifiable(self) -> bool:
        return self.etat in ETATS_MODIFIABLES

    # Transitions. Each takes `par` (the user acting) and is journaled by workflows.history.

    @transition(
        field=etat,
        source=list(ETATS_MODIFIABLES),
        target=EtatDeclaration.SOUMIS,
        permission=peut_declarer,
    )
    def soumettre(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=EtatDeclaration.SOUMIS,
        target=EtatDeclaration.RENVOYE,
        permission=peut_rapprocher,
    )
    def renvoyer(self, *, par, motif):
        pass

    @transition(
        field=etat,
        source=EtatDeclaration.SOUMIS,
        target=EtatDeclaration.ACCEPTE,
        permission=peut_rapprocher,
    )
    def accepter(self, *, par, motif=""):
        pass


class LigneRemuneration(models.Model):
    """One stagiaire's line of an état: the état's own month, or an adjustment of an earlier,
    reconciled month (a late absence, a corrected SMG, a change of the parcours' dates)."""

    etat = models.ForeignKey(EtatRemuneration, on_delete=models.CASCADE, related_name="lignes")
    parcours = models.ForeignKey(
        "prestataires.Parcours", on_delete=models.PROTECT, related_name="lignes_remuneration"
    )
    mois = models.DateField(
        "mois payé", help_text="Le mois de l'état, ou le mois rapproché que la ligne régularise."
    )
    absences_heures = models.DecimalField(
        "heures d'absence injustifiée",
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    montant_declare = models.IntegerField("montant versé (F CFP)", null=True, blank=True)
    cafat_declaree = models.PositiveIntegerField(
        "couverture sociale CAFAT versée (F CFP)", null=True, blank=True
    )
    commentaire_finance = models.TextField("commentaire de la finance", blank=True)
    saisie = models.BooleanField(
        "saisie par le prestataire",
        default=True,
        help_text="Faux pour une ligne calculée que le prestataire n'a pas encore enregistrée.",
    )
    # The computation: current while the état is open, frozen when finance accepts it.
    jours = models.PositiveSmallIntegerField("jours rémunérés", null=True, editable=False)
    jours_du_mois = models.PositiveSmallIntegerField(null=True, editable=False)
    smg_mensuel = models.PositiveIntegerField(null=True, editable=False)
    smg_horaire = models.DecimalField(max_digits=8, decimal_places=2, null=True, editable=False)
    montant_du = models.IntegerField("montant dû (F CFP)", null=True, editable=False)
    # An adjustment of a reconciled month: what was accepted for that month (NULL otherwise).
    deja_rapproche = models.IntegerField("déjà rapproché (F CFP)", null=True, editable=False)

    class Meta:
        verbose_name = "ligne d'état de rémunération"
        verbose_name_plural = "lignes d'état de rémunération"
        ordering = ["mois", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["etat", "parcours", "mois"],
                name="ligne_remuneration_unique",
                violation_error_message="Cet état a déjà une ligne pour ce parcours et ce mois.",
            ),
            models.CheckConstraint(
                condition=Q(mois__day=1),
                name="ligne_premier_du_mois",
                violation_error_message=(
                    "Le mois d'une ligne de rémunération est daté du premier jour du mois."
                ),
            ),
        ]
        indexes = [models.Index(fields=["parcours", "mois"], name="ligne_parcours_mois_idx")]

    def __str__(self):
        return f"{self.parcours.demandeur} : {libelle_mois(self.mois)}"


class TotalRemuneration(models.Model):
    """An état's totals for one lot (a prestataire may hold both): the year's synthesis reads
    these rows, kept by remunerations.stockage."""

    etat = models.ForeignKey(EtatRemuneration, on_delete=models.CASCADE, related_name="totaux")
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    montant_du = models.IntegerField("montant dû (F CFP)", default=0)
    montant_declare = models.IntegerField("montant versé (F CFP)", null=True)
    ecart = models.IntegerField("écart (F CFP)", null=True)

    class Meta:
        verbose_name = "total d'état de rémunération par lot"
        verbose_name_plural = "totaux d'états de rémunération par lot"
        constraints = [
            models.UniqueConstraint(
                fields=["etat", "lot"],
                name="total_remuneration_unique",
                violation_error_message="Cet état a déjà un total pour ce lot.",
            )
        ]

    def __str__(self):
        return f"{self.etat} : lot {self.lot_id}"
