from django.apps import AppConfig


class RemunerationsConfig(AppConfig):
    name = "remunerations"
    verbose_name = "Rémunération des stagiaires"

    def ready(self):
        from . import receivers  # noqa: F401 -- connects the receivers; needs the models loaded
