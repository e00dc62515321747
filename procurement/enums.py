from django.db import models


class Genre(models.TextChoices):
    FEMME = "F", "Femme"
    HOMME = "M", "Homme"
    AUTRE = "X", "Autre / non précisé"


class SituationLogement(models.TextChoices):
    AUTONOME = "autonome", "Logement autonome (locataire, propriétaire)"
    FAMILLE = "famille", "Hébergé(e) par la famille"
    TIERS = "tiers", "Hébergé(e) chez un tiers"
    STRUCTURE = "structure", "Foyer ou structure d'hébergement"
    PRECAIRE = "precaire", "Habitat précaire ou insalubre (squat)"
    SANS_DOMICILE = "sans_domicile", "Sans domicile"
    MENACE_EXPULSION = "menace_expulsion", "Logement menacé (impayés, expulsion)"


class ClasseSortie(models.TextChoices):
    """CCTP classes of exit; each includes the previous one (ED ⊂ SD ⊂ SP)."""

    EMPLOI_DURABLE = "ED", "Emploi durable"
    SORTIE_DYNAMIQUE = "SD", "Sortie dynamique"
    SORTIE_POSITIVE = "SP", "Sortie positive"
    AUCUNE = "", "Pas de sortie positive"


class EtatPrescription(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    ATTENTE_COSIGNATURE = "attente_cosignature", "En attente de co-signature"
    SOUMISE = "soumise", "Soumise à la commission"
    RETIREE = "retiree", "Retirée"
