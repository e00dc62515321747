from django.contrib import admin

from .models import JournalExport


@admin.register(JournalExport)
class JournalExportAdmin(admin.ModelAdmin):
    """The journal of nominative exports is a record of what happened: it is read, never
    written by hand, corrected or purged here."""

    list_display = ["le", "utilisateur", "objet", "format", "lignes", "filtres"]
    list_filter = ["objet", "format"]
    list_select_related = ["utilisateur"]
    search_fields = ["utilisateur__username", "utilisateur__last_name"]
    date_hierarchy = "le"
    fields = ["le", "utilisateur", "objet", "format", "filtres", "lignes"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
