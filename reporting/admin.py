from django.contrib import admin

from procurement.admin import LectureSeuleAdmin

from .models import ImportParcours, JournalExport


@admin.register(JournalExport)
class JournalExportAdmin(LectureSeuleAdmin):
    """The journal of nominative downloads is a record of what happened: it is read, never
    written by hand, corrected or purged here."""

    list_display = ["le", "utilisateur", "objet", "format", "document", "lignes", "filtres"]
    list_filter = ["objet", "format"]
    list_select_related = ["utilisateur"]
    search_fields = ["utilisateur__username", "utilisateur__last_name", "document"]
    date_hierarchy = "le"
    fields = ["le", "utilisateur", "objet", "format", "document", "filtres", "lignes"]
    readonly_fields = fields


@admin.register(ImportParcours)
class ImportParcoursAdmin(LectureSeuleAdmin):
    """The journal of imports of parcours history (dry runs included)."""

    list_display = ["le", "par", "fichier", "essai", "lignes", "crees", "mises_a_jour"]
    list_filter = ["essai"]
    list_select_related = ["par"]
    date_hierarchy = "le"
    fields = [
        "le", "par", "fichier", "empreinte", "essai", "lignes", "crees", "mises_a_jour",
        "inchangees",
    ]  # fmt: skip
    readonly_fields = fields
