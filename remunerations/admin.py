from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from procurement.admin import ProtegeSiCiteAdmin
from procurement.models import TauxSMG

from . import services


class TauxSMGForm(forms.ModelForm):
    class Meta:
        model = TauxSMG
        fields = ["date_effet", "taux_horaire", "arrete"]

    def clean_date_effet(self):
        date_effet = self.cleaned_data["date_effet"]
        try:
            services.verifier_date_effet_smg(date_effet)
        except ValidationError as refus:
            raise ValidationError(refus.messages) from refus
        return date_effet


@admin.register(TauxSMG)
class TauxSMGAdmin(ProtegeSiCiteAdmin):
    """The administrateur adds each new SMG with its arrêté; the months not yet reconciled use
    it. A correction of a rate already used never rewrites a reconciled month: it becomes an
    adjustment line on the prestataire's next état."""

    form = TauxSMGForm
    list_display = ["date_effet", "taux_horaire", "montant_mensuel", "arrete"]
    date_hierarchy = "date_effet"

    def get_readonly_fields(self, request, obj=None):
        return ["date_effet"] if obj else []

    # A rate that reconciled months were paid at is not deleted: the admin's delete page and
    # its bulk action list those months as protected and offer no confirmation.
    refus = "Un taux qui a payé des mois rapprochés ne peut pas être supprimé ; "
    au_lieu = "une correction de ce taux reste possible et devient une régularisation."

    def citations(self, taux) -> list[str]:
        return [
            f"{etat} (rapproché au taux du {taux.date_effet:%d/%m/%Y})"
            for etat in services.etats_rapproches_au_taux(taux)
        ]

    @admin.display(description="mensuel, 169 h (F CFP)")
    def montant_mensuel(self, taux):
        return taux.montant_mensuel
