"""Bilans de fin de parcours: the prestataire's direction writes and sends its sessions'
bilans, the DEL's managers accept them or send them back. A prestataire's users see only their
own organisation's."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.views import generic

from documents.enums import DocumentNominatif
from documents.pdf import rendre_pdf
from documents.telechargements import telecharger
from procurement.models import today
from workflows.actions import ActionsMixin, Refus
from workflows.history import historique
from workflows.pages import ListeView
from workflows.taches import url_du_processus

from .. import bilans, perms, services
from ..filters import BilanFilter
from ..forms import BilanForm, RenvoiBilanForm
from ..models import BilanFinParcours


class BilansVisiblesMixin(PermissionRequiredMixin):
    permission_required = "reporting.view_bilanfinparcours"

    def get_queryset(self):
        return BilanFinParcours.objects.visibles_par(self.request.user).pour_liste()


class BilanListView(BilansVisiblesMixin, ListeView):
    template_name = "reporting/bilans/bilan_list.html"
    filterset_class = BilanFilter
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().order_by("echeance", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jour = today()
        for bilan in context["object_list"]:
            bilan.retard = bilans.jours_de_retard(bilan, jour)
        return context


class BilanDetailView(ActionsMixin, BilansVisiblesMixin, generic.DetailView):
    template_name = "reporting/bilans/bilan_detail.html"
    actions = ("enregistrer", "transmettre", "renvoyer", "accepter")
    transitions = {"transmettre": "transmettre", "renvoyer": "renvoyer", "accepter": "accepter"}
    # Saving and sending share the bilan's form; sending back and accepting, the DEL's.
    formulaires = {"enregistrer": BilanForm, "renvoyer": RenvoiBilanForm}
    prefixes = {"renvoyer": "renvoi"}

    def autres_actions(self):
        """The bilan is written here while it can be sent: a bilan without a process is
        history the import restated (sent and examined outside the application)."""
        bilan = self.object
        if bilan.suivi and bilan.modifiable and perms.peut_rediger(bilan, self.request.user):
            return {"enregistrer"}
        return set()

    def personnes(self):
        if not hasattr(self, "_personnes"):
            self._personnes = bilans.personnes(self.object)
        return self._personnes

    def kwargs_du_formulaire(self, action):
        if action == "enregistrer":
            bilan = self.object
            return {
                "personnes": self.personnes(),
                "version": bilan.version,
                "synthese": bilan.synthese,
            }
        return {}

    def get_context_data(self, **kwargs):
        bilan = self.object
        context = super().get_context_data(**kwargs)
        context.update(
            personnes=self.personnes(),
            historique=historique(bilan),
            retard=bilans.jours_de_retard(bilan, today()),
            manques=bilans.manques(bilan) if bilan.modifiable else [],
            form_bilan=context["forms"].get("enregistrer"),
            form_renvoi=context["forms"].get("renvoyer"),
            url_processus=None if self.request.user.prestataire_id else url_du_processus(bilan),
        )
        return context

    def _enregistrer(self, request):
        form = self.formulaire("enregistrer", request.POST)
        if form.is_valid():
            try:
                bilans.enregistrer(
                    self.object,
                    par=request.user,
                    version=form.cleaned_data["version"],
                    synthese=form.cleaned_data["synthese"],
                    appreciations=form.appreciations(),
                )
                return form
            except ValidationError as refus:
                self.object.refresh_from_db()
                if "enregistrer" not in self.autres_actions():
                    raise  # sent or accepted meanwhile: the message, not a form that vanished
                form.add_error(None, refus)
        raise Refus(forms={"enregistrer": form})

    def action_enregistrer(self, request):
        self._enregistrer(request)
        return "Bilan enregistré."

    def post(self, request, *args, **kwargs):
        """ "Enregistrer et transmettre" saves the draft first, in a transaction of its own: a
        bilan that cannot be sent yet keeps what was typed, and the page says what is missing.
        A draft the page cannot save (another version, sent meanwhile) is refused as
        "Enregistrer" refuses it, and nothing is sent."""
        if request.POST.get("action") == "transmettre":
            self.object = self.get_object()
            try:
                with transaction.atomic():
                    self._enregistrer(request)
            except Refus as refus:
                return self.render_to_response(self.get_context_data(**refus.context), status=400)
            except (ValidationError, PermissionDenied):
                pass  # sent meanwhile, or not theirs: the sending below says so
        return super().post(request, *args, **kwargs)

    def action_transmettre(self, request):
        """The draft is saved (post): send it, or show it, as saved, with what is missing."""
        self.object.refresh_from_db()
        try:
            services.transmettre(self.object, par=request.user)
        except ValidationError as refus:
            if "enregistrer" not in self.autres_actions():
                raise
            donnees = request.POST.copy()
            donnees["version"] = self.object.version  # the draft's version, saved just now
            form = self.formulaire("enregistrer", donnees)
            form.is_valid()
            form.add_error(None, refus)
            raise Refus(forms={"enregistrer": form}) from refus
        return "Bilan transmis à la DEL."

    def action_renvoyer(self, request):
        self.sur_le_dossier("renvoyer", services.renvoyer)
        return "Bilan renvoyé au prestataire pour complément."

    def action_accepter(self, request):
        services.accepter(self.object, par=request.user)
        return "Bilan accepté."


class BilanPdfView(BilansVisiblesMixin, generic.DetailView):
    def get(self, request, *args, **kwargs):
        bilan = self.get_object()
        contenu = rendre_pdf(
            "pdf/bilan_fin_parcours.html",
            {"bilan": bilan, "personnes": bilans.personnes(bilan), "aujourdhui": today()},
        )
        nom = f"bilan-{bilan.session}.pdf"
        return telecharger(request.user, contenu, nom, DocumentNominatif.BILAN)
