"""Pages of the DEL staff: demandeurs d'emploi, prescriptions, commission sessions."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.views import generic

from documents.enums import DocumentNominatif
from documents.pdf import rendre_pdf
from documents.telechargements import telecharger
from workflows.actions import ActionsMixin, Refus
from workflows.confirmation import exiger_confirmation
from workflows.history import historique
from workflows.pages import ListeView
from workflows.taches import ACTIVE_TASK_STATUSES, flux_de, noeud, task_url, url_du_processus

from . import services
from .enums import Decision, EtatPrescription
from .filters import DemandeurFilter, PrescriptionFilter, SessionFilter
from .forms import AgendaFilterForm, DecisionForm, DemandeurForm, choix_des_motifs
from .models import (
    DECIDER,
    ETATS_A_EXAMINER,
    PREPARER,
    Commune,
    Demandeur,
    PassageCommission,
    Prescription,
    SessionCommission,
)


class DemandeurListView(PermissionRequiredMixin, ListeView):
    permission_required = "procurement.view_demandeur"
    template_name = "procurement/demandeur_list.html"
    filterset_class = DemandeurFilter
    paginate_by = 25

    def get_queryset(self):
        return Demandeur.objects.select_related("commune").order_by("nom", "prenom", "pk")


class DemandeurFormMixin(PermissionRequiredMixin):
    model = Demandeur
    form_class = DemandeurForm
    template_name = "procurement/demandeur_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(communes=Commune.objects.proposables(), **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # Two conseillers registering the same person at the same moment.
            form.add_error("nom", "Ce demandeur vient d'être enregistré par un collègue.")
            return self.form_invalid(form)
        messages.success(self.request, f"Fiche de {self.object} enregistrée.")
        return response


class DemandeurCreateView(DemandeurFormMixin, generic.CreateView):
    permission_required = "procurement.add_demandeur"

    def form_valid(self, form):
        form.instance.cree_par = self.request.user
        return super().form_valid(form)


class DemandeurUpdateView(DemandeurFormMixin, generic.UpdateView):
    permission_required = "procurement.change_demandeur"


class DemandeurDetailView(PermissionRequiredMixin, generic.DetailView):
    permission_required = "procurement.view_demandeur"
    model = Demandeur
    template_name = "procurement/demandeur_detail.html"

    def get_queryset(self):
        return Demandeur.objects.select_related("commune", "niveau_formation", "cree_par")

    def get_context_data(self, **kwargs):
        prescrire = noeud(flux_de(Prescription), "prescrire")
        return super().get_context_data(
            prescriptions=self.object.prescriptions.pour_liste(),
            url_prescrire=(
                f"{prescrire.reverse('execute')}?demandeur={self.object.pk}"
                if prescrire.can_execute(self.request.user, None)
                else None
            ),
            **kwargs,
        )


class PrescriptionListView(PermissionRequiredMixin, ListeView):
    permission_required = "procurement.view_prescription"
    template_name = "procurement/prescription_list.html"
    filterset_class = PrescriptionFilter
    paginate_by = 25

    def get_queryset(self):
        return Prescription.objects.pour_liste().order_by("-date_prescription", "-pk")


class PrescriptionDetailView(PermissionRequiredMixin, generic.DetailView):
    permission_required = "procurement.view_prescription"
    model = Prescription
    template_name = "procurement/prescription_detail.html"

    def get_queryset(self):
        return Prescription.objects.pour_liste().select_related(
            "travailleur_social", "demandeur__commune", "demandeur__niveau_formation"
        )

    def get_context_data(self, **kwargs):
        prescription = self.object
        ma_tache = None
        if prescription.process_id:
            tache = prescription.process.task_set.filter(
                owner=self.request.user, status__in=ACTIVE_TASK_STATUSES
            ).first()
            ma_tache = (tache, task_url(tache)) if tache else None
        return super().get_context_data(
            freins=prescription.freins.all(),
            ajournement=(
                prescription.passages.filter(decision=Decision.AJOURNEE)
                .select_related("session")
                .order_by("-pk")
                .first()
                if prescription.etat == EtatPrescription.AJOURNEE
                else None
            ),
            historique=historique(prescription),
            ma_tache=ma_tache,
            url_processus=url_du_processus(prescription),
            **kwargs,
        )


# --- Commission interne -----------------------------------------------------------------------


class SessionListView(PermissionRequiredMixin, ListeView):
    permission_required = "procurement.view_sessioncommission"
    template_name = "procurement/session_list.html"
    filterset_class = SessionFilter
    paginate_by = 25

    def get_queryset(self):
        return SessionCommission.objects.pour_liste()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            url_ouvrir=flux_de(SessionCommission).instance.reverse("ouvrir:execute"),
            **kwargs,
        )


class SessionDetailView(ActionsMixin, PermissionRequiredMixin, generic.DetailView):
    """The session's page: its agenda (prepared by the gestionnaire), the decisions (taken by
    the commission's members), its minutes and its order."""

    permission_required = "procurement.view_sessioncommission"
    template_name = "procurement/session_detail.html"
    actions = ("inscrire", "desinscrire", "ouvrir_seance", "decider", "cloturer")
    transitions = {"ouvrir_seance": "ouvrir_seance", "cloturer": "cloturer"}

    def get_queryset(self):
        return SessionCommission.objects.select_related(
            "lot", "prestataire", "cree_par", "bon_de_commande"
        )

    def autres_actions(self):
        session, user = self.object, self.request.user
        autres = set()
        if session.ordre_du_jour_modifiable and user.has_perm(PREPARER):
            autres |= {"inscrire", "desinscrire"}
        if session.en_seance and user.has_perm(DECIDER):
            autres.add("decider")
        return autres

    def candidats(self):
        session = self.object
        filtre = AgendaFilterForm(self.request.GET or None)
        prescriptions = Prescription.objects.pour_liste().filter(
            etat__in=ETATS_A_EXAMINER, lot=session.lot, prestataire=session.prestataire
        )
        return filtre, filtre.filtrer(prescriptions).order_by("date_prescription", "pk")

    def get_context_data(self, decision_forms=None, **kwargs):
        session = self.object
        context = super().get_context_data(**kwargs)
        peut_preparer = "inscrire" in context["offertes"]
        passages = list(session.passages.pour_liste().prefetch_related("prescription__freins"))
        decision_forms = decision_forms or {}
        if "decider" in context["offertes"]:
            # Each decision is taken, or corrected, until the session is closed.
            motifs = choix_des_motifs()
            for passage in passages:
                passage.form = decision_forms.get(passage.pk) or DecisionForm(
                    passage=passage, motifs=motifs
                )
        if peut_preparer:
            context["filtre"], context["candidats"] = self.candidats()
        context.update(
            passages=passages,
            sans_decision=sum(1 for p in passages if not p.decision),
            peut_preparer=peut_preparer,
            membres_del=session.membres_del.all(),
            membres_prestataire=session.membres_prestataire.all(),
            historique=historique(session),
            url_processus=url_du_processus(session),
            cloture_a_venir=session.en_seance and not session.date_atteinte(),
        )
        return context

    def action_inscrire(self, request):
        self.exiger(PREPARER)
        _, candidats = self.candidats()
        choisies = candidats.filter(pk__in=request.POST.getlist("prescriptions"))
        if not choisies:
            raise ValidationError("Cochez les prescriptions à inscrire à l'ordre du jour.")
        nombre = services.inscrire(self.object, choisies, par=request.user)
        return f"{nombre} prescription(s) inscrite(s) à l'ordre du jour."

    def action_desinscrire(self, request):
        self.exiger(PREPARER)
        passage = self.choisi(PassageCommission.objects.filter(session=self.object), "passage")
        services.desinscrire(passage, par=request.user)
        return f"{passage.prescription.demandeur} retiré(e) de l'ordre du jour."

    def action_ouvrir_seance(self, request):
        services.ouvrir_seance(self.object, par=request.user)
        return "Séance ouverte : les membres de la commission peuvent saisir leurs décisions."

    def action_decider(self, request):
        self.exiger(DECIDER)
        passage = self.choisi(
            PassageCommission.objects.select_related(
                "prescription__lot", "prescription__demandeur"
            ).filter(session=self.object),
            "passage",
        )
        form = DecisionForm(request.POST, passage=passage)
        if not form.is_valid():
            raise Refus(decision_forms={passage.pk: form})
        try:
            passage = services.decider(passage, par=request.user, **form.cleaned_data)
        except services.DecisionDejaPrise:
            raise  # shown as a message: the form no longer applies
        except ValidationError as erreur:
            form.add_error(None, erreur)
            raise Refus(decision_forms={passage.pk: form}) from erreur
        return f"Décision enregistrée : {passage}."

    def action_cloturer(self, request):
        session = self.object
        services.verifier_cloture(session, par=request.user)
        exiger_confirmation(request, message_de_cloture(session))
        services.cloturer_seance(session, par=request.user)
        return "Séance clôturée : le procès-verbal est disponible."


def message_de_cloture(session: SessionCommission) -> str:
    """What closing the sitting does, said before the member confirms it."""
    totaux = Counter(session.passages.values_list("decision", flat=True))
    decisions = ", ".join(
        f"{totaux[decision]} {libelle.lower()}{'s' if totaux[decision] > 1 else ''}"
        for decision, libelle in Decision.choices
        if totaux[decision]
    )
    suites = ["le procès-verbal est émis"]
    if totaux[Decision.VALIDEE]:
        suites.append("le bon de commande des personnes validées est préparé pour le gestionnaire")
    if totaux[Decision.AJOURNEE]:
        suites.append(
            "les conseillers des prescriptions ajournées en sont avertis, avec le commentaire "
            "de la commission"
        )
    return (
        f"Vous allez clôturer la séance du {session.date_seance:%d/%m/%Y} (décisions : "
        f"{decisions}). Les décisions deviennent définitives et ne pourront plus être "
        f"corrigées ; {' ; '.join(suites)}."
    )


class SessionDocumentMixin(PermissionRequiredMixin, generic.detail.SingleObjectMixin):
    permission_required = "procurement.view_sessioncommission"
    model = SessionCommission


class OrdreDuJourPdfView(SessionDocumentMixin, generic.View):
    """The agenda, printed for the sitting (rendered on demand: it changes until the sitting)."""

    def get(self, request, *args, **kwargs):
        session = self.get_object()
        contenu = rendre_pdf(
            "pdf/ordre_du_jour.html",
            {"session": session, "passages": session.passages.pour_liste()},
        )
        nom = f"ordre-du-jour-{session.date_seance:%Y-%m-%d}-{session.pk}.pdf"
        return telecharger(request.user, contenu, nom, DocumentNominatif.ORDRE_DU_JOUR)


class ProcesVerbalPdfView(SessionDocumentMixin, generic.View):
    """The minutes, as issued when the session was closed."""

    def get(self, request, *args, **kwargs):
        session = self.get_object()
        if session.proces_verbal is None:
            raise Http404("Le procès-verbal est émis à la clôture de la séance.")
        document = session.proces_verbal
        return telecharger(
            request.user, document.contenu, document.nom_fichier, DocumentNominatif.PROCES_VERBAL
        )
