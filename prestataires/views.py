"""The prestataire runs its parcours here; the DEL reads them all. A prestataire's users never
reach another prestataire's parcours, stage, module or company (404)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import generic

from documents.enums import DocumentNominatif
from documents.pdf import rendre_pdf
from documents.telechargements import telecharger
from procurement.forms import MotifForm
from procurement.models import today
from workflows.actions import ActionsMixin, Refus
from workflows.confirmation import exiger_confirmation
from workflows.history import historique
from workflows.pages import ListeView
from workflows.taches import url_du_processus

from . import perms, services, stages
from .enums import TypeFin
from .filters import EntrepriseFilter, ModuleFilter, ParcoursFilter
from .forms import (
    ActionPlanForm,
    AttributionForm,
    BilanStageForm,
    ClotureMaintienForm,
    ContactMaintienForm,
    EntreeForm,
    EntrepriseForm,
    EvaluationForm,
    ModuleForm,
    ParticipantsForm,
    ProjetForm,
    RendezVousForm,
    RepriseForm,
    SortieForm,
    StageForm,
    StatutActionForm,
    SuspensionForm,
    VerificationsForm,
    VerificationStageForm,
    VisiteForm,
)
from .models import ActionPlan, Entreprise, ModuleCollectif, Parcours, Stage


class ParcoursVisiblesMixin(PermissionRequiredMixin):
    permission_required = "prestataires.view_parcours"

    def parcours_visibles(self):
        return Parcours.objects.visibles_par(self.request.user)

    def get_queryset(self):
        return self.parcours_visibles().pour_liste()


class ParcoursListView(ParcoursVisiblesMixin, ListeView):
    template_name = "prestataires/parcours_list.html"
    filterset_class = ParcoursFilter
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().order_by("-cree_le", "-pk")


class ParcoursDetailView(ActionsMixin, ParcoursVisiblesMixin, generic.DetailView):
    template_name = "prestataires/parcours_detail.html"
    actions = (
        "attribuer", "entrer", "projet", "ajouter_action", "statut_action", "rendez_vous",
        "evaluer", "suspendre", "reprendre", "sortir", "contact_maintien", "clore_maintien",
    )  # fmt: skip
    transitions = {
        "entrer": "entrer", "suspendre": "suspendre", "reprendre": "reprendre",
        "sortir": "sortir", "clore_maintien": "clore_maintien",
    }  # fmt: skip
    formulaires = {
        "attribuer": AttributionForm, "entrer": EntreeForm, "projet": ProjetForm,
        "ajouter_action": ActionPlanForm, "rendez_vous": RendezVousForm,
        "evaluer": EvaluationForm, "suspendre": SuspensionForm, "reprendre": RepriseForm,
        "sortir": SortieForm, "contact_maintien": ContactMaintienForm,
        "clore_maintien": ClotureMaintienForm,
    }  # fmt: skip
    prefixes = {
        "projet": "projet", "ajouter_action": "action", "rendez_vous": "rdv",
        "sortir": "sortie", "evaluer": "evaluation", "suspendre": "suspension",
        "reprendre": "reprise", "contact_maintien": "maintien", "clore_maintien": "clore",
    }  # fmt: skip

    def get_queryset(self):
        return super().get_queryset().select_related("demandeur__commune", "ligne__prescription")

    def autres_actions(self):
        parcours, user = self.object, self.request.user
        autres = set()
        if perms.peut_attribuer(parcours, user) and not parcours.est_clos:
            autres.add("attribuer")
        if perms.peut_conduire(parcours, user):
            if parcours.est_actif:
                autres |= {"projet", "ajouter_action", "rendez_vous"}
            if parcours.evaluable:
                autres.add("evaluer")
            if parcours.en_maintien:
                autres.add("contact_maintien")
        return autres

    def kwargs_du_formulaire(self, action):
        parcours = self.object
        return {
            "attribuer": {
                "prestataire": parcours.prestataire_id,
                "initial": {"charge": parcours.charge_id},
            },
            "projet": {"initial": {"projet": parcours.projet_professionnel}},
            "rendez_vous": {"parcours": parcours},
        }.get(action, {})

    def get_context_data(self, **kwargs):
        parcours = self.object
        prescription = parcours.ligne.prescription
        contacts = list(parcours.contacts_maintien.all())
        return super().get_context_data(
            aujourdhui=today(),
            prescription=prescription,
            freins=prescription.freins.all(),
            peut_conduire=perms.peut_conduire(parcours, self.request.user),
            actions_plan=parcours.actions.all(),
            statuts=StatutActionForm.base_fields["statut"].choices,
            rendez_vous=parcours.rendez_vous.select_related("module").prefetch_related(
                "freins_travailles", "freins_leves"
            ),
            evaluations=parcours.evaluations.all(),
            stages=parcours.stages.select_related("entreprise"),
            modules=parcours.modules.all(),
            suspensions=parcours.suspensions.all(),
            contacts=contacts,
            contacts_prevus=services.contacts_prevus(parcours, [c.date for c in contacts]),
            historique=historique(parcours),
            url_processus=(
                None if self.request.user.prestataire_id else url_du_processus(parcours)
            ),
            **kwargs,
        )

    def action_attribuer(self, request):
        parcours = self.sur_le_dossier("attribuer", services.attribuer)
        return f"Parcours confié à {parcours.charge}."

    def action_entrer(self, request):
        parcours = self.sur_le_dossier("entrer", services.entrer)
        return f"Entrée enregistrée : fin prévue le {parcours.fin_prevue:%d/%m/%Y}."

    def action_projet(self, request):
        self.sur_le_dossier("projet", services.valider_projet)
        return "Projet professionnel enregistré."

    def action_ajouter_action(self, request):
        action = self.sur_le_dossier("ajouter_action", services.ajouter_action)
        return f"Action « {action} » ajoutée au plan d'action."

    def action_statut_action(self, request):
        action = self.choisi(ActionPlan.objects.filter(parcours=self.object), "ligne")
        form = StatutActionForm(request.POST)
        if not form.is_valid():
            raise Refus()
        services.changer_statut_action(action, par=request.user, statut=form.cleaned_data["statut"])
        return f"Action « {action} » : {action.get_statut_display().lower()}."

    def action_rendez_vous(self, request):
        rendez_vous = self.sur_le_dossier("rendez_vous", services.noter_rendez_vous)
        return f"{rendez_vous} enregistré."

    def action_evaluer(self, request):
        evaluation = self.sur_le_dossier("evaluer", services.evaluer)
        return f"{evaluation} enregistrée."

    def action_suspendre(self, request):
        self.sur_le_dossier("suspendre", services.suspendre)
        return "Parcours suspendu : sa fin prévue reculera d'autant à la reprise."

    def action_reprendre(self, request):
        parcours = self.sur_le_dossier("reprendre", services.reprendre)
        return f"Parcours repris : fin prévue le {parcours.fin_prevue:%d/%m/%Y}."

    def action_sortir(self, request):
        def sortir(form):
            if "sortir" in self.actions_offertes():
                services.verifier_sortie(self.object, **form.cleaned_data)
                exiger_confirmation(
                    request, self.message_de_sortie(form.cleaned_data), "Enregistrer la sortie"
                )
            return services.sortir(self.object, par=request.user, **form.cleaned_data)

        parcours = self.par_formulaire("sortir", sortir)
        if parcours.en_maintien:
            return (
                f"Sortie enregistrée ({parcours.type_sortie}) : maintien dans l'emploi suivi "
                f"jusqu'au {parcours.fin_maintien:%d/%m/%Y}."
            )
        return f"Sortie enregistrée ({parcours.type_sortie}) : parcours terminé."

    def message_de_sortie(self, sortie) -> str:
        """What recording this exit does, said before it is done: it cannot be undone."""
        parcours, type_sortie = self.object, sortie["type_sortie"]
        suite = (
            "le maintien dans l'emploi sera suivi jusqu'au "
            f"{services.fin_du_maintien(sortie['date_sortie']):%d/%m/%Y} (contacts à un, deux "
            "et trois mois)"
            if type_sortie.classe
            else "le parcours sera terminé"
        )
        return (
            f"Vous allez enregistrer la sortie de {parcours.demandeur} le "
            f"{sortie['date_sortie']:%d/%m/%Y} ({TypeFin(sortie['type_fin']).label.lower()}, "
            f"situation : {type_sortie}) : {suite}. La sortie ne pourra plus être modifiée."
        )

    def action_contact_maintien(self, request):
        contact = self.sur_le_dossier("contact_maintien", services.noter_contact_maintien)
        return f"{contact} enregistré."

    def action_clore_maintien(self, request):
        self.sur_le_dossier("clore_maintien", services.clore_maintien)
        return "Maintien dans l'emploi clos : parcours terminé."


# --- Stages -------------------------------------------------------------------------------


class StagesVisiblesMixin(ParcoursVisiblesMixin):
    def get_queryset(self):
        return Stage.objects.filter(parcours__in=self.parcours_visibles()).select_related(
            "parcours__demandeur", "parcours__prestataire", "entreprise__commune"
        )


class StageCreateView(ParcoursVisiblesMixin, generic.FormView):
    """Prepare a stage: the convention, before its checks."""

    template_name = "prestataires/stage_form.html"
    form_class = StageForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parcours = get_object_or_404(self.parcours_visibles(), pk=kwargs["pk"])
        if not perms.peut_conduire(self.parcours, request.user):
            raise PermissionDenied("Seul le prestataire chargé de ce parcours prépare ses stages.")
        if not self.parcours.est_actif:
            messages.error(request, "Un stage se prépare pendant le parcours, après l'entrée.")
            return redirect(self.parcours)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "prestataire": self.parcours.prestataire_id}

    def get_context_data(self, **kwargs):
        return super().get_context_data(parcours=self.parcours, **kwargs)

    def form_valid(self, form):
        try:
            stage = stages.preparer_stage(self.parcours, par=self.request.user, **form.cleaned_data)
        except ValidationError as refus:
            form.add_error(None, refus)
            return self.form_invalid(form)
        return redirect(stage)


class StageDetailView(ActionsMixin, StagesVisiblesMixin, generic.DetailView):
    template_name = "prestataires/stage_detail.html"
    actions = ("modifier", "cocher", "verifier", "demarrer", "visite", "terminer", "annuler")
    transitions = {
        "verifier": "verifier", "demarrer": "demarrer", "terminer": "terminer",
        "annuler": "annuler",
    }  # fmt: skip
    formulaires = {
        "modifier": StageForm, "cocher": VerificationsForm, "verifier": VerificationStageForm,
        "visite": VisiteForm, "terminer": BilanStageForm, "annuler": MotifForm,
    }  # fmt: skip
    prefixes = {
        "modifier": "stage", "cocher": "cocher", "verifier": "verifier", "visite": "visite",
        "terminer": "terminer", "annuler": "annuler",
    }  # fmt: skip

    def autres_actions(self):
        stage = self.object
        autres = set()
        if perms.peut_conduire_le_stage(stage, self.request.user):
            if stage.en_preparation:
                autres |= {"modifier", "cocher"}
            if stage.en_cours:
                autres.add("visite")
        return autres

    def kwargs_du_formulaire(self, action):
        stage = self.object
        return {
            "modifier": {"instance": stage, "prestataire": stage.parcours.prestataire_id},
            "cocher": {
                "initial": {
                    "conditions_accueil": stage.conditions_accueil_verifiees,
                    "convention": stage.convention_signee,
                }
            },
        }.get(action, {})

    def get_context_data(self, **kwargs):
        stage = self.object
        return super().get_context_data(
            visites=stage.visites.all(),
            historique=historique(stage),
            **kwargs,
        )

    def action_modifier(self, request):
        self.sur_le_dossier("modifier", stages.modifier_stage)
        return "Convention de stage modifiée."

    def action_cocher(self, request):
        self.sur_le_dossier("cocher", stages.cocher_verifications)
        return "Vérifications enregistrées."

    def action_verifier(self, request):
        self.sur_le_dossier("verifier", stages.verifier_stage)
        return "Vérifications faites : le stage peut démarrer à son premier jour."

    def action_demarrer(self, request):
        stages.demarrer_stage(self.object, par=request.user)
        return "Stage démarré."

    def action_visite(self, request):
        visite = self.sur_le_dossier("visite", stages.visiter_stage)
        return f"{visite} enregistrée."

    def action_terminer(self, request):
        self.par_formulaire(
            "terminer",
            lambda form: stages.terminer_stage(
                self.object,
                par=request.user,
                termine_le=form.cleaned_data["termine_le"],
                bilan=form.cleaned_data["bilan_entreprise"],
                rapport=form.cleaned_data["rapport_stage"],
            ),
        )
        return "Stage terminé : bilan et rapport enregistrés."

    def action_annuler(self, request):
        self.sur_le_dossier("annuler", stages.annuler_stage)
        return "Stage annulé."


class ConventionPdfView(StagesVisiblesMixin, generic.DetailView):
    """The convention de stage, meant for the host company: it shows no sensitive data
    (no freins, no health, disability or justice detail, not even the lot)."""

    def get(self, request, *args, **kwargs):
        stage = self.get_object()
        contenu = rendre_pdf("pdf/convention_stage.html", {"stage": stage})
        nom = f"convention-stage-{stage.pk}.pdf"
        return telecharger(request.user, contenu, nom, DocumentNominatif.CONVENTION_STAGE)


# --- Host companies -------------------------------------------------------------------------


class EntreprisesMixin(PermissionRequiredMixin):
    permission_required = "prestataires.view_entreprise"

    def get_queryset(self):
        entreprises = Entreprise.objects.select_related("prestataire", "commune")
        if self.request.user.prestataire_id:
            return entreprises.filter(prestataire_id=self.request.user.prestataire_id)
        return entreprises


class EntrepriseListView(EntreprisesMixin, ListeView):
    template_name = "prestataires/entreprise_list.html"
    filterset_class = EntrepriseFilter
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(nombre_stages=Count("stages"))
            .order_by("raison_sociale", "pk")
        )


class EntrepriseEditMixin(EntreprisesMixin):
    template_name = "prestataires/entreprise_form.html"
    form_class = EntrepriseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "prestataire": self.request.user.prestataire}

    def get_success_url(self):
        return reverse("entreprises:index")


class EntrepriseCreateView(EntrepriseEditMixin, generic.CreateView):
    permission_required = "prestataires.add_entreprise"

    def form_valid(self, form):
        if not self.request.user.prestataire_id:
            raise PermissionDenied("Le répertoire des entreprises est celui d'un prestataire.")
        form.instance.prestataire = self.request.user.prestataire
        return super().form_valid(form)


class EntrepriseUpdateView(EntrepriseEditMixin, generic.UpdateView):
    permission_required = "prestataires.change_entreprise"


# --- Collective modules ---------------------------------------------------------------------


class ModulesMixin(PermissionRequiredMixin):
    permission_required = "prestataires.view_modulecollectif"

    def get_queryset(self):
        modules = ModuleCollectif.objects.select_related("prestataire")
        if self.request.user.prestataire_id:
            return modules.filter(prestataire_id=self.request.user.prestataire_id)
        return modules


class ModuleListView(ModulesMixin, ListeView):
    template_name = "prestataires/module_list.html"
    filterset_class = ModuleFilter
    paginate_by = 50

    def get_queryset(self):
        # A chargé d'insertion counts only the participants they follow.
        visibles = Parcours.objects.visibles_par(self.request.user)
        return (
            super()
            .get_queryset()
            .annotate(nombre=Count("participants", filter=Q(participants__in=visibles)))
            .order_by("-debut", "pk")
        )


class ModuleCreateView(ModulesMixin, generic.CreateView):
    permission_required = "prestataires.add_modulecollectif"
    template_name = "prestataires/module_form.html"
    form_class = ModuleForm

    def form_valid(self, form):
        if not self.request.user.prestataire_id:
            raise PermissionDenied("Les modules collectifs sont ceux d'un prestataire.")
        form.instance.prestataire = self.request.user.prestataire
        form.instance.cree_par = self.request.user
        return super().form_valid(form)


class ModuleDetailView(ActionsMixin, ModulesMixin, generic.DetailView):
    template_name = "prestataires/module_detail.html"
    actions = ("inscrire", "retirer")
    formulaires = {"inscrire": ParticipantsForm}

    def parcours_visibles(self):
        return Parcours.objects.visibles_par(self.request.user)

    def peut_modifier(self):
        return perms.peut_modifier_le_module(self.object, self.request.user)

    def kwargs_du_formulaire(self, action):
        return {"module": self.object, "parcours_visibles": self.parcours_visibles()}

    def get_context_data(self, forms=None, **kwargs):
        forms = forms or {}
        # A chargé d'insertion sees, in a shared module, only the people they follow.
        visibles = self.parcours_visibles()
        participants = (
            self.object.participants.filter(pk__in=visibles)
            .select_related("demandeur", "charge")
            .order_by("demandeur__nom", "demandeur__prenom")
        )
        form = None
        if self.peut_modifier():
            form = forms.get("inscrire") or self.formulaire("inscrire")
            if not form.is_bound and not form.fields["parcours"].queryset.exists():
                form = None
        return super().get_context_data(
            participants=participants,
            form=form,
            peut_modifier=self.peut_modifier(),
            rendez_vous=self.object.rendez_vous.filter(parcours__in=visibles).select_related(
                "parcours__demandeur"
            ),
            **kwargs,
        )

    def action_inscrire(self, request):
        self.exiger("prestataires.change_modulecollectif", self.peut_modifier())
        nombre = self.par_formulaire(
            "inscrire",
            lambda form: services.inscrire_au_module(
                self.object, form.cleaned_data["parcours"], par=request.user
            ),
        )
        return f"{nombre} personne(s) inscrite(s) au module."

    def action_retirer(self, request):
        self.exiger("prestataires.change_modulecollectif", self.peut_modifier())
        parcours = self.choisi(
            self.object.participants.filter(pk__in=self.parcours_visibles()), "parcours"
        )
        services.retirer_du_module(self.object, parcours, par=request.user)
        return f"{parcours.demandeur} retiré(e) du module."
