"""What the parcours do when an app upstream tells them something (imported by apps.py)."""

from django.dispatch import receiver

from bons_de_commande.signals import (
    avenant_accuse,
    commande_accusee,
    desistement,
    suivis_en_cours,
)

from . import services


@receiver(commande_accusee)
def lancer_les_parcours_commandes(sender, bon, lignes, **kwargs):
    services.lancer_les_parcours(bon, lignes)


@receiver(avenant_accuse)
def lancer_les_parcours_ajoutes(sender, avenant, lignes, **kwargs):
    services.lancer_les_parcours(avenant.bon, lignes)


@receiver(desistement)
def annuler_le_parcours(sender, ligne, par, motif, **kwargs):
    services.annuler_avant_l_entree(ligne, par=par, motif=motif)


@receiver(suivis_en_cours)
def compter_les_parcours_en_cours(sender, bon, **kwargs):
    return services.parcours_non_termines(bon)
