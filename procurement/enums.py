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
    INSCRITE = "inscrite", "Inscrite à l'ordre du jour"
    VALIDEE = "validee", "Validée par la commission"
    REFUSEE = "refusee", "Refusée par la commission"
    AJOURNEE = "ajournee", "Ajournée"
    COMMANDEE = "commandee", "Commandée (bon de commande émis)"
    DESISTEE = "desistee", "Désistement"


class Decision(models.TextChoices):
    VALIDEE = "validee", "Validée"
    REFUSEE = "refusee", "Refusée"
    AJOURNEE = "ajournee", "Ajournée"


class EtatSession(models.TextChoices):
    PREPARATION = "preparation", "Ordre du jour en préparation"
    EN_SEANCE = "en_seance", "En séance"
    CLOTUREE = "cloturee", "Clôturée"
