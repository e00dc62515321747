"""The supply side: each parcours a prestataire was ordered, from its order's acknowledgement."""

from django.db import models
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .enums import EtatParcours


class ParcoursQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """A prestataire's users see their own organisation's parcours, never another's."""
        if user.prestataire_id:
            return self.filter(prestataire_id=user.prestataire_id)
        if user.has_perm("prestataires.view_parcours"):
            return self
        return self.none()

    def pour_liste(self):
        return self.select_related(
            "demandeur", "lot", "prestataire", "ligne__bon", "ligne__prescription__conseiller"
        )


class Parcours(ConcurrentTransitionMixin, models.Model):
    """One person's parcours at the prestataire, created when the order is acknowledged."""

    ligne = models.OneToOneField(
        "bons_de_commande.LigneCommande",
        verbose_name="ligne du bon de commande",
        on_delete=models.PROTECT,
        related_name="parcours",
    )
    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="parcours"
    )
    demandeur = models.ForeignKey(
        "procurement.Demandeur", on_delete=models.PROTECT, related_name="parcours"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    duree_mois = models.PositiveSmallIntegerField("durée validée (mois)")
    etat = FSMField(
        "état",
        max_length=20,
        choices=EtatParcours.choices,
        default=EtatParcours.ATTENTE_ENTREE,
        protected=True,
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = ParcoursQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(
                fields=["prestataire", "etat", "-cree_le"], name="parcours_prestataire_idx"
            ),
            models.Index(fields=["etat", "-cree_le"], name="parcours_etat_idx"),
        ]

    def __str__(self):
        return f"Parcours de {self.demandeur}, lot {self.lot.numero}"

    def get_absolute_url(self):
        return reverse("parcours:detail", args=[self.pk])

    @transition(field=etat, source=EtatParcours.ATTENTE_ENTREE, target=EtatParcours.ANNULE)
    def annuler(self, *, par, motif):
        pass
