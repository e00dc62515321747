from django.apps import AppConfig


class TravauxConfig(AppConfig):
    name = "travaux"
    verbose_name = "Travaux en arrière-plan"

    def ready(self):
        from . import receivers  # noqa: F401
