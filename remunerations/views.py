"""États de rémunération: the prestataire's direction declares its month, finance reconciles
it; both read the same lines, totals and files. A prestataire's users see their own only.

A file (one état, one month, one year) of more stored lines than
settings.TRAVAUX_LIGNES_IMMEDIATES (a tenth of that for a PDF:
`travaux.taches.lignes_immediates`) is written by a background job (travaux): the link leads
to the job's page, which offers the file to its user only; the download is journaled then, as
the export page's jobs are (travaux.views.FichierDuTravailView)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.views import generic

from documents.enums import DocumentNominatif
from documents.telechargements import telecharger
from prestataires.models import Parcours
from procurement.calendrier import lire_mois, mois_entre
from procurement.models import Prestataire, today
from travaux.taches import EchecDuTravail, lancer, lignes_immediates, travail_de_fond
from workflows.actions import ActionsMixin, Refus
from workflows.confirmation import demande_confirmation, exiger_confirmation
from workflows.history import historique
from workflows.pages import ListeView
from workflows.taches import url_du_processus

from . import calcul, exports, perms, services, stockage
from .enums import EtatDeclaration, SituationDuMois
from .filters import EtatRemunerationFilter
from .forms import DeclarationForm, OuvrirEtatForm, RegularisationForm, RenvoiForm
from .models import EtatRemuneration, LigneRemuneration, TotalRemuneration, libelle_mois
from .templatetags.francs import ecart, francs


class EtatsVisiblesMixin(PermissionRequiredMixin):
    permission_required = "remunerations.view_etatremuneration"

    def get_queryset(self):
        return EtatRemuneration.objects.visibles_par(self.request.user).select_related(
            "prestataire"
        )


def prestataires_visibles(user) -> list[Prestataire]:
    """A prestataire's users: their own organisation; the DEL: every prestataire."""
    prestataires = Prestataire.objects.order_by("code")
    if user.prestataire_id:
        prestataires = prestataires.filter(pk=user.prestataire_id)
    return list(prestataires)


class EtatListView(EtatsVisiblesMixin, ListeView):
    template_name = "remunerations/etat_list.html"
    filterset_class = EtatRemunerationFilter
    paginate_by = 24
    # The month the direction asked to open, refused (OuvrirEtatView shows it with its errors).
    form_ouvrir = None

    def get_queryset(self):
        return super().get_queryset().order_by("-mois", "prestataire__code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            etats_page=list(context["object_list"]),  # with their stored totals
            aujourd_hui=today(),
            form_ouvrir=self.form_ouvrir
            or (
                OuvrirEtatForm(initial={"mois": today().replace(day=1)})
                if perms.declare_pour(user)
                else None
            ),
            mois_recents=list(reversed(mois_entre(date(today().year - 1, 1, 1), today())))[:13],
        )
        return context


class OuvrirEtatView(EtatsVisiblesMixin, generic.View):
    """The prestataire's direction opens a month (the timer runner also opens each month
    just ended for every prestataire with stagiaires)."""

    def post(self, request):
        prestataire_id = perms.declare_pour(request.user)
        if prestataire_id is None:
            raise PermissionDenied("Seule la direction du prestataire déclare ses rémunérations.")
        form = OuvrirEtatForm(request.POST)
        if form.is_valid():
            try:
                etat = services.ouvrir_etat(request.user.prestataire, form.cleaned_data["mois"])
            except ValidationError as refus:
                form.add_error(None, refus)
            else:
                return redirect(etat)
        liste = EtatListView(form_ouvrir=form)
        liste.setup(request)
        reponse = liste.get(request)
        reponse.status_code = 400
        return reponse


# The lines of an état shown, and declared, per page; the totals are the whole état's.
LIGNES_PAR_PAGE = 50
FILTRES_DES_LIGNES = {
    "": "Toutes les lignes",
    "a_declarer": "À déclarer",
    "ecart": "Avec un écart",
}


class EtatDetailView(ActionsMixin, EtatsVisiblesMixin, generic.DetailView):
    """One état: its totals, then its lines by pages of LIGNES_PAR_PAGE, searched by name,
    first name or reference. The declaration (and finance's comments) cover the page shown:
    saving it leaves the other pages' lines as they are, and the état's version refuses a
    form typed on an older one."""

    template_name = "remunerations/etat_detail.html"
    actions = ("declarer", "soumettre", "regulariser", "renvoyer", "accepter")
    transitions = {"soumettre": "soumettre", "renvoyer": "renvoyer", "accepter": "accepter"}
    # Declaring and submitting share the declaration; sending back and accepting, finance's.
    formulaires = {
        "declarer": DeclarationForm, "regulariser": RegularisationForm, "renvoyer": RenvoiForm,
    }  # fmt: skip
    prefixes = {"regulariser": "regularisation", "renvoyer": "renvoi"}

    def autres_actions(self):
        etat = self.object
        if not (etat.modifiable and perms.peut_declarer(etat, self.request.user)):
            return set()
        if calcul.porte_les_regularisations(etat):
            return {"declarer", "regulariser"}
        return {"declarer"}

    def kwargs_du_formulaire(self, action):
        if action == "declarer":
            return {"lignes": self.lignes_du_formulaire("h_"), "version": self.object.version}
        if action == "regulariser":
            return {"etat": self.object}
        return {"lignes": self.lignes_du_formulaire("renvoi-n_")}

    # --- The lines ---------------------------------------------------------------------

    def recherche(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    def filtre(self) -> str:
        filtre = self.request.GET.get("lignes", "")
        return filtre if filtre in FILTRES_DES_LIGNES else ""

    def lignes_filtrees(self):
        etat = self.object
        lignes = stockage.lignes_stockees().filter(etat=etat)
        if texte := self.recherche():
            lignes = lignes.filter(
                Q(parcours__demandeur__nom__icontains=texte)
                | Q(parcours__demandeur__prenom__icontains=texte)
                | Q(parcours__ligne__prescription__reference__icontains=texte)
            )
        if self.filtre() == "a_declarer":
            lignes = lignes.filter(
                Q(montant_declare__isnull=True) | Q(cafat_declaree__isnull=True, mois=etat.mois)
            )
        elif self.filtre() == "ecart":
            lignes = lignes.filter(montant_declare__isnull=False).exclude(
                montant_declare=F("montant_du")
            )
        return lignes.annotate(
            ajustement=Case(
                When(mois=etat.mois, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("ajustement", "parcours__ligne__prescription__reference", "mois", "pk")

    def page_des_lignes(self):
        """The page of lines asked (`?page=`), as the computation's Ligne objects."""
        if not hasattr(self, "_page"):
            paginator = Paginator(self.lignes_filtrees(), LIGNES_PAR_PAGE)
            self._page = paginator.get_page(self.request.GET.get("page"))
            self._page.object_list = [
                stockage.en_ligne(ligne, self.object.mois) for ligne in self._page.object_list
            ]
        return self._page

    def lignes_du_formulaire(self, prefixe: str):
        """The page's lines; for a POST, the lines its fields name (those the user saw, even
        if the page has moved since), among the état's."""
        if self.request.method != "POST":
            return self.page_des_lignes().object_list
        cles = {nom.removeprefix(prefixe) for nom in self.request.POST if nom.startswith(prefixe)}
        parcours_ids = {int(c.partition("-")[0]) for c in cles if c.partition("-")[0].isdigit()}
        return [
            stockage.en_ligne(ligne, self.object.mois)
            for ligne in stockage.lignes_stockees()
            .filter(etat=self.object, parcours_id__in=parcours_ids)
            .order_by("mois", "parcours__ligne__prescription__reference")
            if services.cle(ligne) in cles
        ]

    def get_success_url(self):
        url = super().get_success_url()
        return f"{url}?{self.request.GET.urlencode()}" if self.request.GET else url

    def get_context_data(self, ecarts=None, **kwargs):
        etat = self.object
        context = super().get_context_data(**kwargs)
        ecarts = ecarts or stockage.ecarts(etat)
        forms = context["forms"]
        page = self.page_des_lignes()
        lignes = page.object_list
        for action in ("declarer", "renvoyer"):
            if action in forms:
                forms[action].placer_dans_les_lignes()
                if forms[action].is_bound:
                    lignes = forms[action].lignes
        releve = calcul.Releve(prestataire=etat.prestataire, mois=etat.mois, etat=etat)
        releve.lignes = list(lignes)
        context.update(
            releve=releve,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            recherche=self.recherche(),
            filtre=self.filtre(),
            filtres=FILTRES_DES_LIGNES,
            historique=historique(etat),
            en_retard=etat.soumis_le is None and today() > etat.date_limite,
            form_declaration=forms.get("declarer"),
            form_regularisation=forms.get("regulariser"),
            form_renvoi=forms.get("renvoyer"),
            url_processus=None if self.request.user.prestataire_id else url_du_processus(etat),
            avertissement_ecart=avertissement_ecart(etat, ecarts) if ecarts else "",
        )
        return context

    def _exiger_declarant(self):
        services.exiger_declarant(self.object, self.request.user)

    def action_declarer(self, request):
        self._exiger_declarant()
        self._declarer(request)
        return "Déclaration enregistrée."

    def _declarer(self, request):
        form = self.formulaire("declarer", request.POST)
        if form.is_valid():
            try:
                services.declarer(
                    self.object,
                    par=request.user,
                    version=form.cleaned_data["version"],
                    declarations=form.declarations(),
                )
            except ValidationError as refus:
                if hasattr(refus, "error_dict"):
                    for cle_ligne, erreurs in refus.error_dict.items():
                        form.add_error(f"d_{cle_ligne}", erreurs)
                else:
                    form.add_error(None, refus)
            else:
                return form
        raise Refus(forms={"declarer": form})

    def action_soumettre(self, request):
        """Save what the form holds, then submit, in one transaction. With a gap between
        paid and due, the user confirms first (nothing is saved until then)."""
        self._exiger_declarant()
        form = self._declarer(request)
        self.object.refresh_from_db()
        services.exiger_soumettable(self.object, par=request.user)
        ecarts = stockage.ecarts(self.object)
        if ecarts and not demande_confirmation(request):
            raise Refus(
                forms={"declarer": form},
                ecarts=ecarts,
                confirmation_message=(
                    f"Vous allez soumettre cet état ({self.object.libelle_mois}) à la finance "
                    f"avec un écart entre le versé et le dû : {texte_des_ecarts(ecarts)} "
                    "Confirmez si ces montants sont bien ceux versés ; sinon, annulez et "
                    "corrigez-les."
                ),
                confirmation_bouton="Confirmer la soumission avec cet écart",
            )
        services.soumettre(self.object, par=request.user)
        return "État soumis à la finance."

    def action_regulariser(self, request):
        self._exiger_declarant()
        self.sur_le_dossier("regulariser", services.regulariser)
        return "Régularisation ajoutée : déclarez ce qui a été versé pour elle."

    def action_renvoyer(self, request):
        services.exiger_finance(request.user)
        self.par_formulaire(
            "renvoyer",
            lambda form: services.renvoyer(
                self.object, par=request.user, commentaires=form.commentaires()
            ),
        )
        return "État renvoyé au prestataire pour correction."

    def action_accepter(self, request):
        """Irreversible: the user confirms once, told what accepting does (and of a gap)."""
        services.exiger_finance(request.user)
        etat = self.object
        services.exiger_acceptable(etat, par=request.user)
        message = (
            f"Vous allez accepter cet état ({etat.libelle_mois}, {etat.prestataire.code}) : "
            "le mois sera rapproché et figé. Ses montants ne changeront plus, même si le SMG "
            "ou les dates d'un parcours changent : une correction ultérieure (absence "
            "tardive, taux ou dates corrigés) deviendra une ligne de régularisation sur le "
            "prochain état du prestataire."
        )
        if ecarts := stockage.ecarts(etat):
            message += (
                f" Attention, écart entre le versé et le dû : {texte_des_ecarts(ecarts)} "
                "Il sera rapproché tel quel."
            )
        exiger_confirmation(request, message, "Confirmer l'acceptation")
        services.accepter(etat, par=request.user)
        return "État accepté : le mois est rapproché."


def texte_des_ecarts(ecarts: stockage.Ecarts) -> str:
    """ "2 lignes déclarées avec un écart : 1 500 F versés en trop, 1 000 F versés en moins
    (écart net +500 F)." """
    pluriel = "s" if ecarts.lignes > 1 else ""
    sens = []
    if ecarts.en_trop:
        sens.append(f"{francs(ecarts.en_trop)} versés en trop")
    if ecarts.en_moins:
        sens.append(f"{francs(ecarts.en_moins)} versés en moins")
    texte = f"{ecarts.lignes} ligne{pluriel} déclarée{pluriel} avec un écart, {', '.join(sens)}"
    if ecarts.en_trop and ecarts.en_moins:
        texte += f" (écart net {ecart(ecarts.net)})"
    return texte + "."


def avertissement_ecart(etat: EtatRemuneration, ecarts: stockage.Ecarts) -> str:
    """What the état's page says of a gap between paid and due, before its action."""
    texte = texte_des_ecarts(ecarts)
    if etat.modifiable:
        return (
            f"Écart à vérifier avant de soumettre : {texte} Corrigez le montant versé s'il "
            "s'agit d'une erreur de saisie ; soumis tel quel, l'écart sera présenté à la "
            "finance."
        )
    if etat.etat == EtatDeclaration.SOUMIS:
        return (
            f"Soumis avec un écart : {texte} Accepté, le mois sera rapproché avec cet écart ; "
            "sinon, renvoyez les lignes concernées avec un commentaire."
        )
    return f"Rapproché avec un écart : {texte}"


# --- Files: one état, one month, one year -----------------------------------------------------


@dataclass
class Fichier:
    """A file of états as its user may have it: its title, its name (no extension), how many
    lines it holds (counted against settings.TRAVAUX_LIGNES_IMMEDIATES) and how to read its
    relevés. `parametres` rebuild it in a background job (`fichier_de`)."""

    titre: str
    nom: str
    lignes: Callable[[], int]
    releves: Callable[[], list[calcul.Releve]]
    parametres: dict


def fichier_de_l_etat(etat: EtatRemuneration) -> Fichier:
    return Fichier(
        titre=str(etat),
        nom=f"etat-remuneration-{etat.prestataire.code}-{etat.mois:%Y-%m}",
        lignes=LigneRemuneration.objects.filter(etat=etat).count,
        releves=lambda: stockage.releves_stockes([etat]),
        parametres={"fichier": "etat", "etat": etat.pk},
    )


def lignes_des_mois(paires: list[tuple[Prestataire, date]]) -> int:
    """How many lines the file of these (prestataire, month) holds: an opened month's stored
    lines, and for a month not opened yet (computed when the file is written) its prestataire's
    parcours that meet it. Three queries whatever the number of months."""
    if not paires:
        return 0
    etats = EtatRemuneration.objects.filter(
        Q.create([Q(prestataire=p, mois=m) for p, m in paires], connector=Q.OR)
    )
    ouverts = set(etats.values_list("prestataire_id", "mois"))
    stockees = LigneRemuneration.objects.filter(etat__in=etats).count() if ouverts else 0
    a_calculer = [(p, m) for p, m in paires if (p.pk, m) not in ouverts]
    if not a_calculer:
        return stockees
    return (
        stockees
        + Parcours.objects.filter(
            Q.create(
                [Q(prestataire=p) & calcul.parcours_couvrant(m) for p, m in a_calculer],
                connector=Q.OR,
            )
        ).count()
    )


def _fichier_des_mois(paires, **kwargs) -> Fichier:
    return Fichier(
        lignes=lambda: lignes_des_mois(paires),
        releves=lambda: stockage.releves_des_mois(paires),
        **kwargs,
    )


def fichier_du_mois(user, jour: date) -> Fichier:
    """A month across the prestataires the user sees."""
    return _fichier_des_mois(
        [(p, jour) for p in prestataires_visibles(user)],
        titre=f"États de rémunération : {libelle_mois(jour)}",
        nom=f"etats-remuneration-{jour:%Y-%m}",
        parametres={"fichier": "mois", "mois": f"{jour:%Y-%m}"},
    )


def fichier_de_l_annee(user, annee: int) -> Fichier:
    """The year's months up to the current one (a month to come owes nothing yet), across the
    prestataires the user sees."""
    prestataires = prestataires_visibles(user)
    fin = min(date(annee, 12, 1), today())
    return _fichier_des_mois(
        [
            (prestataire, mois)
            for mois in mois_entre(date(annee, 1, 1), fin)
            for prestataire in prestataires
        ],
        titre=f"États de rémunération : année {annee}",
        nom=f"etats-remuneration-{annee}",
        parametres={"fichier": "annee", "annee": annee},
    )


def _produire(request, fichier: Fichier, format_: str):
    """The file for the request's user: at once, journaled; or, over `lignes_immediates`
    stored lines, written by a background job whose page the user is led to."""
    if fichier.lignes() > lignes_immediates(format_):
        travail = lancer(
            request.user,
            fichier_en_arriere_plan,
            f"{fichier.titre} ({format_.upper()})",
            parametres={**fichier.parametres, "format": format_},
            permission=EtatsVisiblesMixin.permission_required,
        )
        return redirect(travail)
    return telecharger(
        request.user,
        _contenu(fichier, format_),
        f"{fichier.nom}.{format_}",
        DocumentNominatif.ETAT_REMUNERATION,
    )


def _contenu(fichier: Fichier, format_: str) -> bytes:
    releves = fichier.releves()
    if format_ == "pdf":
        return exports.pdf(releves, fichier.titre)
    return exports.classeur(releves)


def fichier_de(user, parametres: dict) -> Fichier:
    """The file a job was asked for, as its user may have it now."""
    if parametres["fichier"] == "etat":
        etat = (
            EtatRemuneration.objects.visibles_par(user)
            .select_related("prestataire")
            .filter(pk=parametres["etat"])
            .first()
        )
        if etat is None:
            raise EchecDuTravail(
                "Cet état de rémunération n'existe plus ou ne vous est plus accessible."
            )
        return fichier_de_l_etat(etat)
    if parametres["fichier"] == "mois":
        return fichier_du_mois(user, lire_mois(parametres["mois"]))
    return fichier_de_l_annee(user, parametres["annee"])


@travail_de_fond
def fichier_en_arriere_plan(travail, progression):
    """The file for the job's user (the prestataires he sees when it runs); the journal line
    waits for the download (the same line as a file handed out at once)."""
    fichier = fichier_de(travail.par, travail.parametres)
    format_ = travail.parametres["format"]
    travail.resultat_nom = f"{fichier.nom}.{format_}"
    travail.resultat = _contenu(fichier, format_)
    travail.rapport = {"journal": {"objet": DocumentNominatif.ETAT_REMUNERATION.value}}


class EtatExportView(EtatsVisiblesMixin, generic.DetailView):
    def get(self, request, *args, format_, **kwargs):
        return _produire(request, fichier_de_l_etat(self.get_object()), format_)


def _mois(texte: str) -> date:
    try:
        return lire_mois(texte)
    except ValueError as erreur:
        raise Http404("Mois inconnu.") from erreur


class MoisExportView(EtatsVisiblesMixin, generic.View):
    """A month across the prestataires the user sees."""

    def get(self, request, mois, format_):
        return _produire(request, fichier_du_mois(request.user, _mois(mois)), format_)


class AnneeExportView(EtatsVisiblesMixin, generic.View):
    def get(self, request, annee, format_):
        annee = int(annee)  # the URL's four digits
        return _produire(request, fichier_de_l_annee(request.user, annee), format_)


class SyntheseView(EtatsVisiblesMixin, generic.TemplateView):
    """A year's stipends on one screen, from what is stored: the états opened summed per
    stage (due, declared paid, gap, due not declared yet: they add up), their totals per
    prestataire, lot and month, and the months with stagiaires that have no état yet (their
    due is computed when it opens, so it is counted apart, never as due nor as a gap). A
    constant number of queries."""

    template_name = "remunerations/synthese.html"

    def get_context_data(self, **kwargs):
        try:
            annee = int(self.request.GET.get("annee", today().year))
        except ValueError:
            annee = today().year
        etats = self.get_queryset().filter(mois__year=annee)
        rangees = list(
            TotalRemuneration.objects.filter(etat__in=etats)
            .select_related("etat__prestataire", "lot")
            .annotate(
                reste_a_declarer=F("montant_du")
                - Coalesce("montant_declare", 0)
                + Coalesce("ecart", 0)
            )
            .order_by("etat__mois", "etat__prestataire__code", "lot__numero")
        )
        etapes, total = stockage.avancement(etats)
        user = self.request.user
        sans_etat = stockage.mois_sans_etat(
            [user.prestataire_id] if user.prestataire_id else None, annee, today()
        )
        a_ouvrir = [m for m in sans_etat if m.situation == SituationDuMois.A_OUVRIR]
        return super().get_context_data(
            annee=annee,
            annees=range(today().year - 3, today().year + 1),
            rangees=rangees,
            etapes=etapes,
            total=total,
            total_du=total.montant_du,
            sans_etat=sans_etat,
            a_ouvrir=a_ouvrir,
            stagiaires_a_ouvrir=sum(m.stagiaires for m in a_ouvrir),
            en_cours=[m for m in sans_etat if m.situation == SituationDuMois.EN_COURS],
            **kwargs,
        )
