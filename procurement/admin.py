from django.contrib import admin

from .models import (
    AttributionLot,
    Commune,
    Demandeur,
    Frein,
    Lot,
    NiveauFormation,
    Prestataire,
    TypeSortie,
)


class CodeLibelleAdmin(admin.ModelAdmin):
    list_display = ["code", "libelle", "ordre"]
    list_editable = ["libelle", "ordre"]
    search_fields = ["code", "libelle"]

    def get_readonly_fields(self, request, obj=None):
        # Codes are a public contract (docs/contrats.md §0): set once, never renamed.
        return ["code"] if obj else []


@admin.register(Frein)
class FreinAdmin(CodeLibelleAdmin):
    list_display = [*CodeLibelleAdmin.list_display, "sensible"]


admin.site.register(NiveauFormation, CodeLibelleAdmin)
admin.site.register(Commune, CodeLibelleAdmin)


@admin.register(TypeSortie)
class TypeSortieAdmin(CodeLibelleAdmin):
    list_display = [*CodeLibelleAdmin.list_display, "classe"]
    list_filter = ["classe"]


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["numero", "libelle", "duree_min_mois", "duree_defaut_mois", "duree_max_mois"]


class AttributionInline(admin.TabularInline):
    model = AttributionLot
    extra = 0


@admin.register(Prestataire)
class PrestataireAdmin(admin.ModelAdmin):
    list_display = ["code", "raison_sociale", "ridet", "email"]
    search_fields = ["code", "raison_sociale", "ridet"]
    inlines = [AttributionInline]


@admin.register(AttributionLot)
class AttributionLotAdmin(admin.ModelAdmin):
    list_display = [
        "prestataire",
        "lot",
        "reference_marche",
        "date_debut",
        "date_fin",
        "volume_annuel_min",
        "volume_annuel_max",
    ]
    list_filter = ["lot", "prestataire"]
    list_select_related = ["prestataire", "lot"]


class LectureSeuleAdmin(admin.ModelAdmin):
    """Records written by the application (or journals of what happened): read here, never
    added, corrected or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Demandeur)
class DemandeurAdmin(LectureSeuleAdmin):
    """Read-only here: demandeurs are registered by conseillers in the application."""

    list_display = ["nom", "prenom", "date_naissance", "commune"]
    search_fields = ["nom", "prenom"]
    list_select_related = ["commune"]
