from django.db import models


class EtatDeclaration(models.TextChoices):
    """The life of a prestataire's monthly état de rémunération."""

    BROUILLON = "brouillon", "En préparation"
    SOUMIS = "soumis", "Soumis à la finance"
    RENVOYE = "renvoye", "Renvoyé pour correction"
    ACCEPTE = "accepte", "Accepté : mois rapproché"


class SituationDuMois(models.TextChoices):
    """A month in which a prestataire had stagiaires and has no état yet."""

    A_OUVRIR = "a_ouvrir", "Mois échu : état à ouvrir"
    EN_COURS = "en_cours", "Mois en cours : l'état s'ouvre à sa fin"
    CLOS = "clos", "Antérieur au dernier mois rapproché : ne s'ouvre plus"


ETATS_MODIFIABLES = (EtatDeclaration.BROUILLON, EtatDeclaration.RENVOYE)
