from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Processus, historique et notifications"

    def ready(self):
        # history journals every django-fsm transition. The flows register with the core
        # (taches.enregistrer_flux), through which the apps' services start and run a record's
        # process by its nodes' names: imported here, they are registered before any request,
        # command or test, and no app needs to import them.
        from . import flows, history  # noqa: F401
