"""The "Import de l'historique" page: upload a follow-up file, read its preview (each row's
action, or its errors with their line and column), then confirm to import that same file.

As django-import-export's admin does, the uploaded file waits between the two steps in
import-export's temporary storage (`IMPORT_EXPORT_TMP_STORAGE_CLASS`, the system's temporary
folder by default; several servers need a shared one, such as `MediaStorage`). The storage
name stays in the user's session; the confirmation names the file by its SHA-256, and only a
file with that very content is imported."""

import contextlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.module_loading import import_string
from django.views import generic
from import_export.tmp_storages import TempFolderStorage

from documents.televersements import en_mo, taille_max, trop_gros

from .. import importation
from ..models import ImportParcours

CLE_SESSION = "import_parcours_en_attente"
# The page checks a file within the request: no more lines than it checks in a few seconds
# (measured in the README, "Import de l'historique"); the command has no limit.
LIGNES_MAX = 5000
EN_LETTRES = f"{LIGNES_MAX:,}".replace(",", "\u00a0")  # 5 000, as French writes it
# A preview of a large file shows its rows with errors and this many rows.
LIGNES_APERCU = 1000


class FichierForm(forms.Form):
    """The file to check. Its size is bounded while it arrives (documents.televersements:
    `trop_gros` names the fields refused over the limit), its lines before it is read whole."""

    fichier = forms.FileField(
        label="Fichier de suivi (.csv ou .xlsx)",
        help_text="CSV en UTF-8 séparé par « ; » ou « , », ou classeur XLSX ; la première ligne "
        "nomme les colonnes.",
        error_messages={"required": "Choisissez le fichier à importer."},
    )

    def __init__(self, *args, trop_gros=(), **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["fichier"]
        champ.help_text += f" {en_mo(taille_max())} et {EN_LETTRES} lignes au plus."
        if "fichier" in trop_gros:
            champ.error_messages["required"] = (
                f"Le fichier dépasse {en_mo(taille_max())} : découpez-le, ou faites-le importer "
                "par la commande import_parcours."
            )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if not fichier.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Un fichier .csv ou .xlsx est attendu.")
        if importation.compter_lignes(fichier.name, fichier, LIGNES_MAX) > LIGNES_MAX:
            raise forms.ValidationError(
                f"Le fichier a plus de {EN_LETTRES} lignes, le plus que cette page relit : "
                "découpez-le, ou faites-le importer par la commande import_parcours, qui n'a pas "
                "de limite."
            )
        return fichier


class ConfirmationForm(forms.Form):
    empreinte = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


def _stockage(**kwargs):
    classe = getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", TempFolderStorage)
    if isinstance(classe, str):
        classe = import_string(classe)
    return classe(read_mode="rb", **kwargs)


class ImportMixin(PermissionRequiredMixin):
    permission_required = "reporting.importer_parcours"


class ImportView(ImportMixin, generic.TemplateView):
    """Step 1: the upload form; its POST checks the file (a dry run, journaled) and shows the
    preview, with the confirmation button when every row is valid."""

    template_name = "reporting/importation/import.html"

    def get_context_data(self, form=None, rapport=None, confirmation=None, **kwargs):
        lignes = rapport.lignes if rapport else []
        if len(lignes) > LIGNES_APERCU:
            lignes = [
                ligne for rang, ligne in enumerate(lignes) if rang < LIGNES_APERCU or ligne.erreurs
            ]
        return super().get_context_data(
            form=form or FichierForm(),
            rapport=rapport,
            lignes_apercu=lignes,
            lignes_masquees=len(rapport.lignes) - len(lignes) if rapport else 0,
            confirmation=confirmation,
            colonnes=[(c, c in importation.OBLIGATOIRES) for c in importation.COLONNES],
            journal=ImportParcours.objects.select_related("par").order_by("-le", "-pk")[:10],
            **kwargs,
        )

    def post(self, request):
        form = FichierForm(request.POST, request.FILES, trop_gros=trop_gros(request))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        televerse = form.cleaned_data["fichier"]
        fichier = importation.Fichier(nom=televerse.name, contenu=televerse.read())
        try:
            rapport = importation.importer(fichier, par=request.user, essai=True)
        except importation.FichierIllisible as erreur:
            form.add_error("fichier", str(erreur))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        confirmation = None
        if rapport.valide:
            confirmation = ConfirmationForm(initial={"empreinte": fichier.empreinte})
            self.mettre_en_attente(fichier)
        return self.render_to_response(
            self.get_context_data(rapport=rapport, confirmation=confirmation),
            status=200 if rapport.valide else 400,
        )

    def mettre_en_attente(self, fichier):
        """The file waits for its confirmation (one per user: a new preview replaces it)."""
        abandonner_l_attente(self.request)
        stockage = _stockage()
        stockage.save(fichier.contenu)
        self.request.session[CLE_SESSION] = {
            "empreinte": fichier.empreinte,
            "fichier": fichier.nom,
            "stockage": stockage.name,
        }


def abandonner_l_attente(request):
    attente = request.session.pop(CLE_SESSION, None)
    if attente:
        with contextlib.suppress(OSError):  # already gone: nothing waits any more
            _stockage(name=attente["stockage"]).remove()


class ConfirmerImportView(ImportMixin, generic.View):
    """Step 2: import the file the preview showed, identified by its SHA-256."""

    def post(self, request):
        form = ConfirmationForm(request.POST)
        attente = request.session.get(CLE_SESSION) or {}
        contenu = None
        if form.is_valid() and attente.get("empreinte") == form.cleaned_data["empreinte"]:
            try:
                contenu = _stockage(name=attente["stockage"]).read()
            except OSError:
                contenu = None
        fichier = importation.Fichier(nom=attente.get("fichier", ""), contenu=contenu or b"")
        if contenu is None or fichier.empreinte != attente["empreinte"]:
            messages.error(
                request, "Ce fichier n'attend plus d'import : déposez-le de nouveau pour le relire."
            )
            return redirect("imports:index")
        rapport = importation.importer(fichier, par=request.user)
        abandonner_l_attente(request)
        if not rapport.valide:
            # The database changed since the preview: the same file no longer passes.
            vue = ImportView(request=request, args=(), kwargs={})
            return vue.render_to_response(vue.get_context_data(rapport=rapport), status=400)
        messages.success(request, rapport.resume())
        return redirect("imports:index")
