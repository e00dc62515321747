from django.contrib import admin, messages
from django.utils.text import capfirst

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

# What a protected entry's delete page shows, beside the records that cite it.
CITES_AU_PLUS = 20


class ProtegeSiCiteAdmin(admin.ModelAdmin):
    """An entry that records cite is not deleted (issue 16). Records point to it with PROTECT,
    which Django's delete page and bulk action already list; `citations` adds what else cites
    an entry (by default the records holding it in a many-to-many: a prescription's freins, a
    rendez-vous' freins), and the page says in French why (`refus`) and what to do instead
    (`au_lieu`)."""

    refus = "Cette entrée est citée par des dossiers : elle ne peut pas être supprimée. "
    au_lieu = ""

    def citations(self, entree) -> list[str]:
        cites = []
        for relation in entree._meta.related_objects:
            if relation.many_to_many:
                modele = relation.related_model  # its relation may have no accessor (+)
                nom = capfirst(modele._meta.verbose_name)
                dossiers = modele._default_manager.filter(**{relation.field.name: entree})
                cites += [f"{nom} : {cite}" for cite in dossiers[:CITES_AU_PLUS]]
        return cites

    def get_deleted_objects(self, objs, request):
        supprimes, compte, permissions, proteges = super().get_deleted_objects(objs, request)
        for entree in objs:
            proteges += self.citations(entree)
        if proteges:
            messages.error(request, self.refus + self.au_lieu)
        return supprimes, compte, permissions, proteges


class CodeLibelleAdmin(ProtegeSiCiteAdmin):
    list_display = ["code", "libelle", "ordre", "retire_le"]
    list_editable = ["libelle", "ordre"]
    list_filter = [("retire_le", admin.EmptyFieldListFilter)]
    search_fields = ["code", "libelle"]
    au_lieu = (
        "Pour ne plus la proposer dans les formulaires, renseignez sa date de retrait "
        "(« retiré le ») : les dossiers qui la citent la gardent."
    )

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
    list_filter = ["classe", *CodeLibelleAdmin.list_filter]


@admin.register(Lot)
class LotAdmin(ProtegeSiCiteAdmin):
    au_lieu = "Un lot du marché reste tant que des dossiers le citent."
    list_display = ["numero", "libelle", "duree_min_mois", "duree_defaut_mois", "duree_max_mois"]


class AttributionInline(admin.TabularInline):
    model = AttributionLot
    extra = 0


@admin.register(Prestataire)
class PrestataireAdmin(ProtegeSiCiteAdmin):
    au_lieu = (
        "Pour ne plus lui commander de parcours, donnez une date de fin à ses attributions de lots."
    )
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
