from django.apps import AppConfig


class BonsDeCommandeConfig(AppConfig):
    name = "bons_de_commande"
    verbose_name = "Bons de commande et avenants"

    def ready(self):
        from . import receivers  # noqa: F401 -- connects the receivers; needs the models loaded
