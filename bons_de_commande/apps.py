from django.apps import AppConfig


class BonsDeCommandeConfig(AppConfig):
    name = "bons_de_commande"
    verbose_name = "Bons de commande et avenants"
