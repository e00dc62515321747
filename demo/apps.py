from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`seed_demo`) and the history file the local run imports
    (historique_parcours.csv). It runs every app's actions, so it sits above them all."""

    name = "demo"
    verbose_name = "Données de démonstration"
