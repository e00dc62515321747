"""The "Import de l'historique" page: upload a follow-up file; its check (a dry run, journaled)
runs in the background (travaux), whose page shows the progress then the preview (each row's
action, or its errors with their line and column, and the warnings); confirm there to import
that same file, again in the background.

The uploaded file waits for its confirmation in the database, with the check's job (not in a
server's temporary folder nor in the session): any worker, on any machine, reads it. The
confirmation names the check's job and the file's SHA-256; the file leaves the check's job when
it is confirmed (once) or when a newer check of the same user ends."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views import generic

from documents.televersements import en_mo, taille_max, trop_gros
from procurement.enums import Decision
from travaux.models import Etat, Travail
from travaux.taches import EchecDuTravail, chemin, lancer, travail_de_fond

from .. import importation
from ..models import ImportParcours

PERMISSION = "reporting.importer_parcours"
# The page's limit. The file is checked and imported by a background worker, not within the
# request, so the bound is no longer a request's duration but the import's memory: 100 000
# rows is the size issue 17 bounds (400 MB at most) and measures, and about what the upload
# limit (TELEVERSEMENT_TAILLE_MAX, 20 Mo) holds. The command has no limit.
LIGNES_MAX = 100_000
EN_LETTRES = f"{LIGNES_MAX:,}".replace(",", "\u00a0")  # 100 000, as French writes it
# A preview shows at most this many rows: those with errors first, then the first ones; and
# at most MESSAGES_APERCU errors and as many warnings: the page stays under 300 KB (issue 17).
LIGNES_APERCU = 500
MESSAGES_APERCU = 300
GABARIT_APERCU = "reporting/importation/apercu.html"
# The preview names what a row changes in French (the keys of importation.ligne's signature):
# users read labels, never codes.
LIBELLES_DES_CHANGEMENTS = {
    "nom": "identité",
    "genre": "genre",
    "niveau_formation": "niveau de formation",
    "commune": "commune",
    "lot": "lot",
    "reconnaissance_crhd": "reconnaissance CRHD",
    "prestataire": "prestataire",
    "conseiller": "conseiller",
    "travailleur_social": "travailleur social",
    "date_prescription": "date de prescription",
    "motif_prescription": "motif de la prescription",
    "freins": "freins",
    "decision": "décision de la commission",
    "session": "session",
    "date_entree": "date d'entrée",
    "date_sortie": "sortie",
    "stage_entreprise": "stage",
    "satisfaction": "satisfaction",
    "eval_entree_projet": "évaluation d'entrée",
    "eval_sortie_projet": "évaluation de sortie",
    "bilan_transmis": "bilan transmis",
}
LIBELLES_DES_DECISIONS = dict(Decision.choices)


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
    travail = forms.IntegerField(widget=forms.HiddenInput)
    empreinte = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


# --- The background half -------------------------------------------------------------------


def _message(erreur) -> dict:
    """An error or a warning of the report, as the job keeps it (JSON)."""
    return {
        "ligne": getattr(erreur, "ligne", None),
        "colonne": getattr(erreur, "colonne", ""),
        "message": getattr(erreur, "message", str(erreur)),
    }


def en_json(rapport: importation.Rapport) -> dict:
    """What the job's page shows of the report: counts, errors and warnings (at most
    MESSAGES_APERCU of each), and at most LIGNES_APERCU rows, those with errors first."""
    en_erreur = [ligne for ligne in rapport.lignes if ligne.erreurs][:LIGNES_APERCU]
    retenues = {ligne.ligne for ligne in en_erreur}
    for ligne in rapport.lignes:
        if len(retenues) >= LIGNES_APERCU:
            break
        retenues.add(ligne.ligne)
    avertissements = rapport.avertissements
    return {
        "fichier": rapport.fichier.nom,
        "empreinte": rapport.fichier.empreinte,
        "essai": rapport.essai,
        "valide": rapport.valide,
        "resume": rapport.resume(),
        "lignes": len(rapport.lignes),
        "crees": rapport.crees,
        "mises_a_jour": rapport.mises_a_jour,
        "inchangees": rapport.inchangees,
        "nombre_erreurs": len(rapport.erreurs),
        "erreurs": [_message(e) for e in rapport.erreurs[:MESSAGES_APERCU]],
        "nombre_avertissements": len(avertissements),
        "avertissements": [_message(a) for a in avertissements[:MESSAGES_APERCU]],
        "apercu": [
            {
                "ligne": ligne.ligne,
                "action": ligne.libelle_action,
                "reference": ligne.reference,
                "nom": ligne.nom,
                "prenom": ligne.prenom,
                "lot": ligne.lot,
                "session": ligne.session,
                "decision": LIBELLES_DES_DECISIONS.get(
                    ligne.decision.strip().lower(), ligne.decision
                ),
                "changements": [
                    LIBELLES_DES_CHANGEMENTS.get(changement, changement)
                    for changement in ligne.changements
                ],
                "erreurs": [_message(e) for e in ligne.erreurs],
                "avertissements": [_message(a) for a in ligne.avertissements],
            }
            for ligne in rapport.lignes
            if ligne.ligne in retenues
        ],
        "masquees": len(rapport.lignes) - len(retenues),
    }


def _importer(travail: Travail, progression, *, essai: bool) -> None:
    fichier = importation.Fichier(nom=travail.fichier_nom, contenu=bytes(travail.fichier))
    try:
        rapport = importation.importer(
            fichier, par=travail.par, essai=essai, progression=progression
        )
    except importation.FichierIllisible as erreur:
        raise EchecDuTravail(str(erreur)) from erreur
    travail.rapport = en_json(rapport)
    if not (essai and rapport.valide):
        travail.fichier = None  # nothing to confirm: the file is no longer kept


@travail_de_fond
def relire(travail: Travail, progression) -> None:
    """The check (dry run): the report, and the file kept for its confirmation if valid."""
    _importer(travail, progression, essai=True)
    if travail.fichier is not None:
        # One file waits per user: a newer check replaces the older ones.
        Travail.objects.de(travail.par).filter(
            fonction=chemin(relire), etat=Etat.TERMINE, fichier__isnull=False
        ).exclude(pk=travail.pk).update(fichier=None)


@travail_de_fond
def importer(travail: Travail, progression) -> None:
    """The confirmed import: all the rows in one transaction, or nothing."""
    _importer(travail, progression, essai=False)


# --- The pages -------------------------------------------------------------------------------


class ImportMixin(PermissionRequiredMixin):
    permission_required = PERMISSION


class ImportView(ImportMixin, generic.TemplateView):
    """Step 1: the upload form; its POST starts the check of the file in the background and
    leads to the job's page."""

    template_name = "reporting/importation/import.html"

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            form=form or FichierForm(),
            colonnes=[(c, c in importation.OBLIGATOIRES) for c in importation.COLONNES],
            journal=ImportParcours.objects.select_related("par").order_by("-le", "-pk")[:10],
            **kwargs,
        )

    def post(self, request):
        form = FichierForm(request.POST, request.FILES, trop_gros=trop_gros(request))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        televerse = form.cleaned_data["fichier"]
        travail = lancer(
            request.user,
            relire,
            f"Relecture de {televerse.name}",
            permission=PERMISSION,
            gabarit=GABARIT_APERCU,
            fichier_nom=televerse.name,
            fichier=televerse.read(),
        )
        return redirect(travail)


class ConfirmerImportView(ImportMixin, generic.View):
    """Step 2: import the file the check's job holds, identified by its SHA-256, once."""

    def post(self, request):
        form = ConfirmationForm(request.POST)
        source = None
        if form.is_valid():
            source = (
                Travail.objects.de(request.user)
                .filter(
                    pk=form.cleaned_data["travail"],
                    fonction=chemin(relire),
                    etat=Etat.TERMINE,
                    fichier__isnull=False,
                )
                .first()
            )
        rapport = (source.rapport or {}) if source else {}
        confirmable = (
            rapport.get("valide")
            and rapport.get("empreinte") == form.cleaned_data["empreinte"]
            # Taken once: a second confirmation (another tab, a double click) finds it gone.
            and Travail.objects.filter(pk=source.pk, fichier__isnull=False).update(fichier=None)
        )
        if not confirmable:
            messages.error(
                request, "Ce fichier n'attend plus d'import : déposez-le de nouveau pour le relire."
            )
            return redirect("imports:index")
        travail = lancer(
            request.user,
            importer,
            f"Import de {source.fichier_nom}",
            permission=PERMISSION,
            gabarit=GABARIT_APERCU,
            fichier_nom=source.fichier_nom,
            fichier=bytes(source.fichier),
            source=source,
        )
        return redirect(travail)
