from django.db import models


class DocumentNominatif(models.TextChoices):
    """The documents carrying personal data that users download, each written in the journal
    of nominative downloads (documents/telechargements.py)."""

    BON_DE_COMMANDE = "bon_de_commande", "Bon de commande"
    AVENANT = "avenant", "Avenant"
    ORDRE_DU_JOUR = "ordre_du_jour", "Ordre du jour de commission"
    PROCES_VERBAL = "proces_verbal", "Procès-verbal de commission"
    CONVENTION_STAGE = "convention_stage", "Convention de stage"
    ETAT_REMUNERATION = "etat_remuneration", "États de rémunération"
    BILAN = "bilan", "Bilan de fin de parcours"
    BILAN_ANNUEL = "bilan_annuel", "Bilan annuel"
