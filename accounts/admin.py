from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User
from .roles import PRESTATAIRE_ROLES, Role


class UserRolesForm(forms.ModelForm):
    """Prestataire roles go with a prestataire organisation, DEL roles without one."""

    def clean(self):
        cleaned = super().clean()
        noms = {group.name for group in cleaned.get("groups") or []}
        roles_prestataire = noms & {role.value for role in PRESTATAIRE_ROLES}
        roles_del = noms - {role.value for role in PRESTATAIRE_ROLES}
        prestataire = cleaned.get("prestataire")
        if roles_prestataire and not prestataire:
            self.add_error(
                "prestataire", "Un utilisateur de prestataire doit avoir son organisation."
            )
        if prestataire and roles_del:
            self.add_error(
                "groups",
                "Un utilisateur de prestataire ne peut pas avoir de rôle de la DEL.",
            )
        if Role.ADMINISTRATEUR.value in noms and not cleaned.get("is_staff"):
            self.add_error(
                "is_staff", "Un administrateur doit avoir accès au site d'administration."
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = type("UserChangeForm", (UserRolesForm, BaseUserAdmin.form), {})
    list_display = [
        "username",
        "last_name",
        "first_name",
        "prestataire",
        "roles_display",
        "is_active",
    ]
    list_filter = ["groups", "prestataire", "is_active"]
    list_select_related = ["prestataire"]
    fieldsets = [
        *BaseUserAdmin.fieldsets[:2],
        ("Rôles et organisation", {"fields": ["groups", "prestataire", "is_active", "is_staff"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="rôles")
    def roles_display(self, user):
        return ", ".join(Role(g.name).label for g in user.groups.all() if g.name in Role.values)
