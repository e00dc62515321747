from django.db import models


class EtatDeclaration(models.TextChoices):
    """The life of a prestataire's monthly état de rémunération."""

    BROUILLON = "brouillon", "En préparation"
    SOUMIS = "soumis", "Soumis à la finance"
    RENVOYE = "renvoye", "Renvoyé pour correction"
    ACCEPTE = "accepte", "Accepté : mois rapproché"


ETATS_MODIFIABLES = (EtatDeclaration.BROUILLON, EtatDeclaration.RENVOYE)
