"""Keep the stored stipends current when what they depend on changes in another app (imported
by apps.py): the SMG table, a parcours' dates, a suspension. Each receiver runs in the
transaction of the write it follows. Bulk writes send no signal: their writer calls
`stockage.actualiser()` (the import of parcours history does, reporting being downstream)."""

from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver

from prestataires.models import Parcours, Suspension
from procurement.models import TauxSMG

from . import stockage
from .enums import EtatDeclaration
from .models import LigneRemuneration

# What a parcours' stipend reads of it (calcul.jours_remuneres, and the lot of the totals).
CHAMPS_PARCOURS = ("prestataire_id", "lot_id", "date_entree", "date_sortie", "fin_prevue")


def _lus(parcours: Parcours) -> tuple:
    # __dict__, not getattr: a deferred field must not cost a query per loaded parcours.
    return tuple(parcours.__dict__.get(champ) for champ in CHAMPS_PARCOURS)


@receiver(post_init, sender=Parcours)
def retenir_les_dates(sender, instance, **kwargs):
    instance._remuneration_lue = _lus(instance)


@receiver(post_save, sender=Parcours)
def actualiser_le_parcours(sender, instance, created, raw=False, **kwargs):
    avant, apres = getattr(instance, "_remuneration_lue", None), _lus(instance)
    instance._remuneration_lue = apres
    if created or avant is None:
        avant = (None,) * len(CHAMPS_PARCOURS)
    # Not entered, before as now: no stipend to pay.
    if raw or avant == apres or (instance.date_entree is None and avant[2] is None):
        return
    prestataires = {instance.prestataire_id}
    if avant[0]:
        prestataires.add(avant[0])
    stockage.actualiser(prestataire_ids=prestataires, parcours_ids=[instance.pk])


@receiver(pre_delete, sender=Parcours)
def oublier_les_lignes_calculees(sender, instance, **kwargs):
    """Lines the prestataire never saved do not keep a parcours from being deleted."""
    etats = set(
        LigneRemuneration.objects.filter(parcours=instance, saisie=False)
        .exclude(etat__etat=EtatDeclaration.ACCEPTE)
        .values_list("etat_id", flat=True)
    )
    if etats:
        LigneRemuneration.objects.filter(parcours=instance, saisie=False, etat__in=etats).delete()
        stockage.totaliser(etats)


@receiver(post_save, sender=Suspension)
@receiver(post_delete, sender=Suspension)
def actualiser_la_suspension(sender, instance, raw=False, **kwargs):
    if raw:
        return
    prestataire_id = (
        Parcours.objects.filter(pk=instance.parcours_id)
        .values_list("prestataire_id", flat=True)
        .first()
    )
    if prestataire_id is not None:  # None: the parcours itself is being deleted
        stockage.actualiser(prestataire_ids=[prestataire_id], parcours_ids=[instance.parcours_id])


@receiver(post_save, sender=TauxSMG)
@receiver(post_delete, sender=TauxSMG)
def actualiser_au_taux(sender, raw=False, **kwargs):
    """A new or corrected SMG rate: every open month may be paid at it."""
    if not raw:
        stockage.actualiser()
