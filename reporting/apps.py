from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Bilans, indicateurs et pilotage"

    def ready(self):
        from . import receivers  # noqa: F401 -- connects the receivers; needs the models loaded
