"""Orders and avenants: the DEL issues them, the prestataire reads and acknowledges its own."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.views import generic

from accounts.roles import suit_seulement_ses_parcours
from documents.enums import DocumentNominatif
from documents.telechargements import telecharger
from procurement.forms import MotifForm
from procurement.models import Prescription
from workflows.actions import ActionsMixin, Refus, actions_permises
from workflows.confirmation import exiger_confirmation
from workflows.history import historique
from workflows.notifications import notifier
from workflows.pages import ListeView
from workflows.taches import url_du_processus

from . import perms, services
from .enums import EtatAvenant
from .filters import BonFilter
from .forms import CandidatForm, RemplacantForm, premiers_remplacants
from .models import BENEFICIAIRES, Avenant, BonDeCommande, LigneCommande, remplacants_en_lice


class BonsVisiblesMixin(PermissionRequiredMixin):
    permission_required = "bons_de_commande.view_bondecommande"

    def get_queryset(self):
        user = self.request.user
        return BonDeCommande.objects.visibles_par(user).pour_liste(user)


class BonListView(BonsVisiblesMixin, ListeView):
    template_name = "bons_de_commande/bon_list.html"
    filterset_class = BonFilter
    paginate_by = 25

    def get_queryset(self):
        return super().get_queryset().order_by("-cree_le", "-pk")


# The state changes of an order's lines and avenants, offered on the order's page.
TRANSITIONS_DES_LIGNES = {"desister": "desister"}
TRANSITIONS_DES_AVENANTS = {"emettre_avenant": "emettre", "accuser_avenant": "accuser_reception"}


class BonDetailView(ActionsMixin, BonsVisiblesMixin, generic.DetailView):
    template_name = "bons_de_commande/bon_detail.html"
    actions = (
        "emettre", "annuler", "accuser", "cloturer", "desister", "remplacant", "candidat",
        "emettre_avenant", "accuser_avenant",
    )  # fmt: skip
    transitions = {
        "emettre": "emettre", "annuler": "annuler", "accuser": "accuser_reception",
        "cloturer": "cloturer",
    }  # fmt: skip
    formulaires = {"annuler": MotifForm}
    prefixes = {"annuler": "annuler"}

    def est_prestataire(self):
        return self.request.user.prestataire_id == self.object.prestataire_id

    def get_context_data(self, forms=None, **kwargs):
        bon, user = self.object, self.request.user
        forms = forms or {}
        # A chargé d'insertion sees, and acts on, the lines of the people he follows only.
        lignes = list(bon.lignes.au_perimetre_de(user).pour_liste())
        remplacables = [ligne for ligne in lignes if ligne.remplacable]
        # Read once for all the lines: the substitutes proposed, the possible ones. A place
        # held by a substitute (remplacants_en_lice) is offered to no other.
        proposes = self.remplacants_proposes(remplacables) if remplacables else {}
        for ligne in remplacables:
            ligne.remplacants_proposes = proposes.get(ligne.pk, [])
            ligne.place_libre = not any(p.en_lice for p in ligne.remplacants_proposes)
        gere = (
            any(ligne.place_libre for ligne in remplacables)
            and not user.prestataire_id
            and perms.gere_les_commandes(bon, user)
        )
        candidats = premiers_remplacants(bon) if gere else None
        for ligne in lignes:
            if "desister" in actions_permises(ligne, user, TRANSITIONS_DES_LIGNES):
                ligne.form_desister = forms.get(("desister", ligne.pk)) or MotifForm(
                    prefix=f"desister-{ligne.pk}"
                )
            if ligne.remplacable and ligne.place_libre:
                if user.prestataire_id:
                    ligne.form_candidat = forms.get(("candidat", ligne.pk)) or CandidatForm(
                        ligne=ligne, initial={"texte": ligne.proposition_prestataire}
                    )
                elif gere:
                    ligne.form_remplacant = forms.get(("remplacant", ligne.pk)) or (
                        RemplacantForm(ligne=ligne, candidats=candidats)
                    )
        avenants = list(self.avenants_visibles().order_by("pk"))
        for avenant in avenants:
            avenant.offertes = actions_permises(avenant, user, TRANSITIONS_DES_AVENANTS)
        return super().get_context_data(
            forms=forms,
            lignes=lignes,
            avenants=avenants,
            beneficiaires=sum(1 for ligne in lignes if ligne.beneficiaire),
            hors_beneficiaires=sum(1 for ligne in lignes if not ligne.beneficiaire),
            historique=historique(bon),
            documents_lisibles=perms.lit_les_documents_emis(user),
            seulement_ses_personnes=suit_seulement_ses_parcours(user),
            url_processus=None if user.prestataire_id else url_du_processus(bon.session),
            **kwargs,
        )

    @staticmethod
    def remplacants_proposes(lignes) -> dict:
        """The prescriptions proposed in each line's place, by line, in one query; `en_lice`
        on those that hold the place."""
        en_lice = remplacants_en_lice(Prescription.objects.filter(pk=OuterRef("pk")))
        proposes = {}
        for prescription in (
            Prescription.objects.filter(remplace__in=lignes)
            .annotate(en_lice=Exists(en_lice))
            .select_related("demandeur")
            .order_by("pk")
        ):
            proposes.setdefault(prescription.remplace_id, []).append(prescription)
        return proposes

    def ligne(self, request):
        """The POSTed line of this order, among those the user sees (404 otherwise)."""
        return self.choisi(
            LigneCommande.objects.au_perimetre_de(request.user)
            .select_related("bon", "prescription__demandeur")
            .filter(bon=self.object),
            "ligne",
        )

    def avenants_visibles(self):
        """The order's avenants the user sees, with the people on each he may see: a
        prestataire never sees a draft, a chargé d'insertion only the avenants and people of
        those he follows."""
        user = self.request.user
        lignes = LigneCommande.objects.au_perimetre_de(user).select_related(
            "prescription__demandeur"
        )
        avenants = self.object.avenants.prefetch_related(
            Prefetch("lignes_ajoutees", queryset=lignes),
            Prefetch("lignes_retirees", queryset=lignes),
        )
        if user.prestataire_id:
            avenants = avenants.exclude(etat=EtatAvenant.BROUILLON)
        if suit_seulement_ses_parcours(user):
            avenants = avenants.filter(
                Q(lignes_ajoutees__in=lignes) | Q(lignes_retirees__in=lignes)
            ).distinct()
        return avenants

    def avenant(self, request):
        return self.choisi(self.avenants_visibles(), "avenant")

    def action_emettre(self, request):
        bon = self.object
        if "emettre" in self.actions_offertes():
            lignes = bon.lignes.filter(BENEFICIAIRES).count()
            exiger_confirmation(
                request,
                f"Vous allez émettre ce bon de commande : il recevra le numéro définitif "
                f"(BC-{timezone.localdate().year}-…, le suivant de l'année) et sera envoyé au "
                f"prestataire {bon.prestataire}, pour {lignes} bénéficiaire(s). Il ne pourra "
                "plus être modifié ni annulé : tout changement passera par un avenant.",
                "Émettre le bon de commande",
            )
        bon = services.emettre(bon, par=request.user)
        return f"Bon de commande {bon} émis : le prestataire peut le télécharger."

    def action_annuler(self, request):
        form = self.formulaire("annuler", request.POST)
        if not form.is_valid():
            raise Refus(forms={"annuler": form})
        services.annuler(self.object, par=request.user, motif=form.cleaned_data["motif"])
        return "Bon de commande annulé ; les personnes restent validées par la commission."

    def action_accuser(self, request):
        parcours = services.accuser(self.object, par=request.user)
        return f"Réception accusée : {len(parcours)} parcours en attente d'entrée."

    def action_cloturer(self, request):
        services.cloturer(self.object, par=request.user)
        return f"Bon de commande {self.object} clôturé."

    def action_desister(self, request):
        self.exiger("bons_de_commande.desister_lignecommande")
        ligne = self.ligne(request)
        form = MotifForm(request.POST, prefix=f"desister-{ligne.pk}")
        if not form.is_valid():
            raise Refus(forms={("desister", ligne.pk): form})
        services.desister(ligne, par=request.user, motif=form.cleaned_data["motif"])
        return (
            f"Désistement de {ligne.prescription.demandeur} enregistré : un avenant de retrait "
            "est à émettre par la DEL."
        )

    def action_remplacant(self, request):
        self.exiger("bons_de_commande.emettre_bondecommande", not request.user.prestataire_id)
        ligne = self.ligne(request)
        form = RemplacantForm(request.POST, ligne=ligne)
        if not form.is_valid():
            raise Refus(forms={("remplacant", ligne.pk): form})
        prescription = form.cleaned_data["prescription"]
        try:
            services.proposer_remplacant(ligne, prescription, par=request.user)
        except ValidationError as erreur:
            form.add_error("prescription", erreur)
            raise Refus(forms={("remplacant", ligne.pk): form}) from erreur
        return (
            f"{prescription.demandeur} proposé(e) en remplacement : inscrivez sa prescription "
            "à une séance de la commission."
        )

    def action_candidat(self, request):
        if not self.est_prestataire():
            raise PermissionDenied
        ligne = self.ligne(request)
        form = CandidatForm(request.POST, ligne=ligne)
        if not form.is_valid():
            raise Refus(forms={("candidat", ligne.pk): form})
        services.proposer_candidat(ligne, form.cleaned_data["texte"], par=request.user)
        for destinataire in {ligne.prescription.conseiller, self.object.emis_par}:
            notifier(
                destinataire,
                f"{self.object.prestataire} propose un remplaçant à "
                f"{ligne.prescription.demandeur} ({self.object}).",
                lien=self.object.get_absolute_url(),
            )
        return "Proposition transmise au conseiller et au gestionnaire de la DEL."

    def action_emettre_avenant(self, request):
        avenant = self.avenant(request)
        if "emettre_avenant" in actions_permises(avenant, request.user, TRANSITIONS_DES_AVENANTS):
            personnes = ", ".join(
                f"{ligne.prescription.demandeur} ({sens})"
                for lignes, sens in (
                    (avenant.lignes_retirees.select_related("prescription__demandeur"), "retrait"),
                    (avenant.lignes_ajoutees.select_related("prescription__demandeur"), "ajout"),
                )
                for ligne in lignes
            )
            exiger_confirmation(
                request,
                f"Vous allez émettre l'avenant au bon de commande {self.object} : "
                f"{personnes}. Il recevra le numéro définitif ({self.object}-A…, le suivant "
                f"du bon) et sera envoyé au prestataire {self.object.prestataire} ; il ne "
                "pourra plus être modifié.",
                "Émettre l'avenant",
            )
        avenant = services.emettre_avenant(avenant, par=request.user)
        return f"Avenant {avenant} émis."

    def action_accuser_avenant(self, request):
        avenant = self.avenant(request)
        parcours = services.accuser_avenant(avenant, par=request.user)
        suite = f" : {len(parcours)} parcours en attente d'entrée" if parcours else ""
        return f"Réception de l'avenant {avenant} accusée{suite}."


def bons_aux_documents_lisibles(user):
    """The orders whose issued PDFs (and their avenants') `user` may download: none for a
    chargé d'insertion (perms.lit_les_documents_emis), as for an order he cannot see (404)."""
    bons = BonDeCommande.objects.visibles_par(user)
    return bons if perms.lit_les_documents_emis(user) else bons.none()


class BonPdfView(BonsVisiblesMixin, generic.detail.BaseDetailView):
    def get_queryset(self):
        return bons_aux_documents_lisibles(self.request.user)

    def render_to_response(self, context):
        bon = self.object
        if bon.document_id is None:
            raise Http404("Le PDF est produit à l'émission du bon de commande.")
        document = bon.document
        return telecharger(
            self.request.user,
            document.contenu,
            document.nom_fichier,
            DocumentNominatif.BON_DE_COMMANDE,
        )


class AvenantPdfView(PermissionRequiredMixin, generic.detail.BaseDetailView):
    permission_required = "bons_de_commande.view_bondecommande"

    def get_queryset(self):
        bons = bons_aux_documents_lisibles(self.request.user)
        return Avenant.objects.filter(bon__in=bons, document__isnull=False)

    def render_to_response(self, context):
        document = self.object.document
        return telecharger(
            self.request.user, document.contenu, document.nom_fichier, DocumentNominatif.AVENANT
        )
