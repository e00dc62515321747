from django.db import models


class EtatParcours(models.TextChoices):
    ATTENTE_ENTREE = "attente_entree", "En attente d'entrée"
    ANNULE = "annule", "Annulé (désistement avant l'entrée)"
