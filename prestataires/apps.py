from django.apps import AppConfig


class PrestatairesConfig(AppConfig):
    name = "prestataires"
    verbose_name = "Parcours chez les prestataires"

    def ready(self):
        from . import receivers  # noqa: F401 -- connects the receivers; needs the models loaded
