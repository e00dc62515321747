from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Utilisateurs et rôles"

    def ready(self):
        from .roles import sync_role_groups  # it imports the auth models: loaded by now

        # Roles are Django groups whose permissions are defined in code (roles.py):
        # every migrate brings the database in line with it.
        post_migrate.connect(sync_role_groups, sender=self)

        from .middleware import noter_ouverture_de_session

        user_logged_in.connect(noter_ouverture_de_session)
