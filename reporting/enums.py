from django.db import models


class EtatBilan(models.TextChoices):
    A_REDIGER = "a_rediger", "À rédiger"
    TRANSMIS = "transmis", "Transmis à la DEL"
    A_COMPLETER = "a_completer", "Renvoyé pour complément"
    ACCEPTE = "accepte", "Accepté par la DEL"


# The prestataire may write in the bilan in these states.
ETATS_REDACTION = (EtatBilan.A_REDIGER, EtatBilan.A_COMPLETER)
# Sent: the DEL has it (accepted or still to examine).
ETATS_TRANSMIS = (EtatBilan.TRANSMIS, EtatBilan.ACCEPTE)


class AtteinteObjectifs(models.TextChoices):
    ATTEINTS = "atteints", "Objectifs atteints"
    PARTIELLEMENT = "partiellement", "Objectifs partiellement atteints"
    NON_ATTEINTS = "non_atteints", "Objectifs non atteints"


class EtatBilanAnnuel(models.TextChoices):
    BROUILLON = "brouillon", "En rédaction"
    TRANSMIS = "transmis", "Transmis à la DEL"


class ObjetExport(models.TextChoices):
    DEMANDEURS = "demandeurs", "Demandeurs d'emploi"
    PRESCRIPTIONS = "prescriptions", "Prescriptions"
    PARCOURS = "parcours", "Parcours"
    SORTIES = "sorties", "Sorties"
