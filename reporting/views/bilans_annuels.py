"""Bilans annuels: the prestataire's direction opens one for a lot it holds, the DEL asks for
one; the page shows the period's indicators computed live and the nominative recap; the
direction writes its analysis and sends it. A prestataire's users see their own only.

A bilan whose nominative recap has more people than settings.TRAVAUX_LIGNES_IMMEDIATES (a tenth
of that for the PDF: `travaux.taches.lignes_immediates`) has its file written by a background
job (travaux): the link leads to the job's page, which offers the file to its user only; the
download is journaled then, as the export page's jobs are (travaux.views.FichierDuTravailView)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views import generic

from documents.enums import DocumentNominatif
from documents.telechargements import telecharger
from travaux.taches import EchecDuTravail, lancer, lignes_immediates, travail_de_fond
from workflows.actions import ActionsMixin, Refus
from workflows.history import historique
from workflows.pages import ListeView

from .. import annuel, perms
from ..filters import BilanAnnuelFilter
from ..forms_periode import AnalyseForm, BilanAnnuelForm
from ..models import BilanAnnuel


class BilansAnnuelsVisiblesMixin(PermissionRequiredMixin):
    permission_required = "reporting.view_bilanannuel"

    def get_queryset(self):
        return BilanAnnuel.objects.visibles_par(self.request.user).select_related(
            "prestataire", "lot", "demande_par", "transmis_par"
        )


class BilanAnnuelListView(BilansAnnuelsVisiblesMixin, ListeView):
    template_name = "reporting/annuels/bilan_annuel_list.html"
    filterset_class = BilanAnnuelFilter
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().order_by("-au", "prestataire__code", "lot__numero", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            peut_ouvrir=annuel.peut_ouvrir(self.request.user),
            **kwargs,
        )


class BilanAnnuelCreateView(BilansAnnuelsVisiblesMixin, generic.FormView):
    """The direction opens its bilan; the DEL's gestionnaire asks a prestataire for one."""

    template_name = "reporting/annuels/bilan_annuel_form.html"
    form_class = BilanAnnuelForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not annuel.peut_ouvrir(request.user):
            raise PermissionDenied("Seuls la direction du prestataire et la DEL ouvrent un bilan.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pour_la_del=annuel.peut_demander(self.request.user), **kwargs
        )

    def form_valid(self, form):
        try:
            bilan = annuel.ouvrir(**form.periode(), par=self.request.user)
        except ValidationError as refus:
            form.add_error(None, refus)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect(bilan)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BilanAnnuelDetailView(ActionsMixin, BilansAnnuelsVisiblesMixin, generic.DetailView):
    template_name = "reporting/annuels/bilan_annuel_detail.html"
    actions = ("enregistrer", "transmettre")
    transitions = {"transmettre": "transmettre"}
    # Saving and sending share the analysis.
    formulaires = {"enregistrer": AnalyseForm}

    def autres_actions(self):
        bilan = self.object
        if bilan.en_redaction and perms.peut_rediger_le_bilan_annuel(bilan, self.request.user):
            return {"enregistrer"}
        return set()

    def kwargs_du_formulaire(self, action):
        return {"initial": {"analyse": self.object.analyse}}

    def get_context_data(self, **kwargs):
        bilan = self.object
        filtres = annuel.filtres_du_bilan(bilan)
        context = super().get_context_data(
            figures=annuel.figures(filtres),
            recapitulatif=annuel.recapitulatif_nominatif(bilan),
            parametres=filtres.parametres(),
            historique=historique(bilan),
            **kwargs,
        )
        context["form_analyse"] = context["forms"].get("enregistrer")
        return context

    def _avec_analyse(self, request, service):
        """Run the service on the analysis typed; a refusal shows on the form, what was
        typed stays on the page."""
        annuel.exiger_brouillon(self.object)
        form = self.formulaire("enregistrer", request.POST)
        if form.is_valid():
            try:
                return service(self.object, par=request.user, analyse=form.cleaned_data["analyse"])
            except ValidationError as refus:
                form.add_error(None, refus)
        raise Refus(forms={"enregistrer": form})

    def action_enregistrer(self, request):
        self._avec_analyse(request, annuel.enregistrer_analyse)
        return "Analyse enregistrée."

    def action_transmettre(self, request):
        self._avec_analyse(request, annuel.transmettre)
        return "Bilan annuel transmis à la DEL."


class BilanAnnuelExportView(BilansAnnuelsVisiblesMixin, generic.DetailView):
    def get(self, request, *args, format_, **kwargs):
        bilan = self.get_object()
        recapitulatif = annuel.recapitulatif_nominatif(bilan)
        if len(recapitulatif) > lignes_immediates(format_):
            travail = lancer(
                request.user,
                fichier_en_arriere_plan,
                f"{bilan} ({format_.upper()})",
                parametres={"bilan": bilan.pk, "format": format_},
                permission=self.permission_required,
            )
            return redirect(travail)
        nom, contenu = fichier(bilan, recapitulatif, format_, request.user)
        return telecharger(request.user, contenu, nom, DocumentNominatif.BILAN_ANNUEL)


def fichier(bilan: BilanAnnuel, recapitulatif, format_: str, user) -> tuple[str, bytes]:
    """The bilan's file as `user` may have it (least knowledge): its name and its bytes."""
    figures = annuel.figures(annuel.filtres_du_bilan(bilan))
    produire = annuel.pdf if format_ == "pdf" else annuel.classeur
    contenu = produire(bilan, figures, recapitulatif, user)
    return f"{annuel.nom_de_fichier(bilan)}.{format_}", contenu


@travail_de_fond
def fichier_en_arriere_plan(travail, progression):
    """The bilan's file for the job's user, if he still sees the bilan; the journal line waits
    for the download (the same line as a file handed out at once)."""
    parametres = travail.parametres
    bilan = (
        BilanAnnuel.objects.visibles_par(travail.par)
        .select_related("prestataire", "lot", "demande_par", "transmis_par")
        .filter(pk=parametres["bilan"])
        .first()
    )
    if bilan is None:
        raise EchecDuTravail("Ce bilan annuel n'existe plus ou ne vous est plus accessible.")
    recapitulatif = annuel.recapitulatif_nominatif(bilan)
    travail.resultat_nom, travail.resultat = fichier(
        bilan, recapitulatif, parametres["format"], travail.par
    )
    travail.rapport = {"journal": {"objet": DocumentNominatif.BILAN_ANNUEL.value}}
