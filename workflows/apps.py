from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Processus, historique et notifications"

    def ready(self):
        from . import history  # noqa: F401 -- journals every django-fsm transition
