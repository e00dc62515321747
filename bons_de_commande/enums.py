from django.db import models


class EtatBonDeCommande(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    EMIS = "emis", "Émis"
    ACCUSE = "accuse", "Réception accusée"
    CLOTURE = "cloture", "Clôturé"
    ANNULE = "annule", "Annulé"


class EtatLigne(models.TextChoices):
    PREVUE = "prevue", "Prévue (pas encore commandée)"
    COMMANDEE = "commandee", "Commandée"
    DESISTEMENT = "desistement", "Désistement (avenant à émettre)"
    RETIREE = "retiree", "Retirée par avenant"


class NatureAvenant(models.TextChoices):
    RETRAIT = "retrait", "Retrait d'un bénéficiaire (désistement)"
    AJOUT = "ajout", "Ajout d'un bénéficiaire (remplacement)"


class EtatAvenant(models.TextChoices):
    BROUILLON = "brouillon", "À émettre"
    EMIS = "emis", "Émis"
    ACCUSE = "accuse", "Réception accusée"
