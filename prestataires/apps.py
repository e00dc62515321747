from django.apps import AppConfig


class PrestatairesConfig(AppConfig):
    name = "prestataires"
    verbose_name = "Parcours chez les prestataires"
