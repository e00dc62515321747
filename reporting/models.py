"""What the prestataire reports and the DEL reads: the bilan de fin de parcours of each session,
the bilan annuel with its indicators, and the journals of imports and nominative exports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import auteur
from documents.enums import DocumentNominatif
from procurement.calendrier import ajouter_mois
from workflows.models import DossierDeProcessus, champ_etat, est_suivi, lien_processus

from .enums import (
    ETATS_REDACTION,
    AtteinteObjectifs,
    EtatBilan,
    EtatBilanAnnuel,
    ObjetExport,
)
from .perms import peut_examiner, peut_rediger, peut_rediger_le_bilan_annuel


def echeance_du_bilan(fin_session):
    """docs/domaine.md step 9: due one calendar month after the end of the session (31 January ->
    28 or 29 February)."""
    return ajouter_mois(fin_session, 1) if fin_session else None


class PrestataireVisibleQuerySet(models.QuerySet):
    """A prestataire's users see their own organisation's records, never another's; the DEL's
    staff who hold the model's view permission see them all."""

    permission_de_lecture = ""

    def visibles_par(self, user):
        if user.prestataire_id:
            if not user.has_perm(self.permission_de_lecture):
                return self.none()
            return self.filter(prestataire_id=user.prestataire_id)
        if user.has_perm(self.permission_de_lecture):
            return self
        return self.none()


class BilanQuerySet(PrestataireVisibleQuerySet):
    permission_de_lecture = "reporting.view_bilanfinparcours"

    def en_retard_le(self, jour):
        """Overdue on `jour` (docs/contrats.md §5): not sent on or before it, and `jour` is after
        the due date."""
        return self.filter(echeance__lt=jour).exclude(transmis_le__lte=jour)

    def pour_liste(self):
        return self.select_related("bon", "prestataire", "lot")


class BilanFinParcours(DossierDeProcessus):
    """The one bilan de fin de parcours of a session: the parcours launched by one bon de
    commande and its avenants (docs/domaine.md, step 9)."""

    bon = models.OneToOneField(
        "bons_de_commande.BonDeCommande",
        verbose_name="bon de commande (session)",
        on_delete=models.PROTECT,
        related_name="bilan",
    )
    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="bilans"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    fin_session = models.DateField(
        "fin de la session",
        null=True,
        blank=True,
        help_text="Fin du dernier parcours de la session : sa sortie, ou sa fin prévue tant "
        "qu'il est en cours.",
    )
    echeance = models.DateField("à transmettre au plus tard le", null=True, blank=True)
    etat = champ_etat(EtatBilan, EtatBilan.A_REDIGER)
    synthese = models.TextField("synthèse de la session", blank=True)
    commentaire_del = models.TextField("demande de complément de la DEL", blank=True)
    transmis_le = models.DateField("transmis le", null=True, blank=True, editable=False)
    transmis_par = auteur("transmis par")
    accepte_le = models.DateTimeField("accepté le", null=True, blank=True, editable=False)
    accepte_par = auteur("accepté par")
    rappel_envoye_le = models.DateTimeField("rappel envoyé le", null=True, editable=False)
    retard_signale_le = models.DateTimeField("retard signalé le", null=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    process = lien_processus("bilan", "workflows.BilanProcess")

    objects = BilanQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan de fin de parcours"
        verbose_name_plural = "bilans de fin de parcours"
        ordering = ["echeance", "pk"]
        permissions = [
            ("rediger_bilanfinparcours", "Rédiger et transmettre les bilans de sa structure"),
            ("examiner_bilanfinparcours", "Accepter ou renvoyer les bilans de fin de parcours"),
        ]
        indexes = [
            models.Index(fields=["echeance", "transmis_le"], name="bilan_echeance_idx"),
            models.Index(fields=["prestataire", "echeance"], name="bilan_prestataire_idx"),
            models.Index(fields=["etat", "echeance"], name="bilan_etat_idx"),
        ]

    @classmethod
    def de_la_session(cls, bon, fin_session, **champs):
        """The bilan (not saved yet) of the session `bon` launched, ended on `fin_session`:
        its prestataire and lot are the order's, its due date follows from the end."""
        return cls(
            bon=bon,
            prestataire_id=bon.prestataire_id,
            lot_id=bon.lot_id,
            fin_session=fin_session,
            echeance=echeance_du_bilan(fin_session),
            **champs,
        )

    def __str__(self):
        return f"Bilan de fin de parcours de la session {self.bon}"

    def get_absolute_url(self):
        return reverse("bilans:detail", args=[self.pk])

    @property
    def session(self) -> str:
        return self.bon.numero

    @property
    def modifiable(self) -> bool:
        """Being written: the prestataire writes it until it is sent."""
        return self.etat in ETATS_REDACTION

    @transition(
        field=etat,
        source=list(ETATS_REDACTION),
        target=EtatBilan.TRANSMIS,
        conditions=[est_suivi],
        permission=peut_rediger,
    )
    def transmettre(self, *, par, le, motif=""):
        self.transmis_le = le
        self.transmis_par = par

    @transition(
        field=etat,
        source=EtatBilan.TRANSMIS,
        target=EtatBilan.A_COMPLETER,
        conditions=[est_suivi],
        permission=peut_examiner,
    )
    def renvoyer(self, *, par, motif):
        self.commentaire_del = motif
        self.transmis_le = None
        self.transmis_par = None

    @transition(
        field=etat,
        source=EtatBilan.TRANSMIS,
        target=EtatBilan.ACCEPTE,
        conditions=[est_suivi],
        permission=peut_examiner,
    )
    def accepter(self, *, par, le, motif=""):
        self.accepte_le = le
        self.accepte_par = par


class AppreciationBilan(models.Model):
    """One person of the bilan's nominative list: the level of attainment of their objectives
    and, for a rupture or an early exit, the difficulties met and the préconisations."""

    bilan = models.ForeignKey(
        BilanFinParcours, on_delete=models.CASCADE, related_name="appreciations"
    )
    parcours = models.OneToOneField(
        "prestataires.Parcours", on_delete=models.PROTECT, related_name="appreciation_bilan"
    )
    atteinte_objectifs = models.CharField(
        "atteinte des objectifs", max_length=20, choices=AtteinteObjectifs.choices, blank=True
    )
    commentaire = models.TextField("appréciation", blank=True)
    difficultes = models.TextField("difficultés rencontrées", blank=True)
    preconisations = models.TextField("préconisations", blank=True)

    class Meta:
        verbose_name = "appréciation nominative"
        verbose_name_plural = "appréciations nominatives"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.parcours.demandeur} : {self.get_atteinte_objectifs_display() or '—'}"


class BilanAnnuelQuerySet(PrestataireVisibleQuerySet):
    permission_de_lecture = "reporting.view_bilanannuel"


class BilanAnnuel(ConcurrentTransitionMixin, models.Model):
    """A prestataire's bilan of one lot over a period (a civil year, or any period the DEL asks
    for): the indicators are computed when it is read; the prestataire writes the analysis."""

    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="bilans_annuels"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    du = models.DateField("du")
    au = models.DateField("au")
    analyse = models.TextField("analyse qualitative du prestataire", blank=True)
    etat = FSMField(
        "état",
        max_length=20,
        choices=EtatBilanAnnuel.choices,
        default=EtatBilanAnnuel.BROUILLON,
        protected=True,
    )
    transmis_le = models.DateTimeField("transmis le", null=True, blank=True, editable=False)
    transmis_par = auteur("transmis par")
    demande_par = auteur("demandé par")
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = BilanAnnuelQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan annuel"
        verbose_name_plural = "bilans annuels"
        ordering = ["-au", "prestataire", "lot"]
        permissions = [
            ("rediger_bilanannuel", "Rédiger et transmettre les bilans annuels de sa structure"),
            ("consulter_indicateurs", "Consulter les indicateurs et le tableau de bord"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["prestataire", "lot", "du", "au"],
                name="bilan_annuel_periode_unique",
                violation_error_message=(
                    "Un bilan annuel existe déjà pour ce prestataire, ce lot et cette période."
                ),
            ),
            models.CheckConstraint(
                condition=Q(du__lte=models.F("au")),
                name="bilan_annuel_periode_ordonnee",
                violation_error_message="La fin de la période du bilan précède son début.",
            ),
        ]

    def __str__(self):
        return (
            f"Bilan {self.prestataire.code}, lot {self.lot.numero}, du {self.du:%d/%m/%Y} "
            f"au {self.au:%d/%m/%Y}"
        )

    def get_absolute_url(self):
        return reverse("bilans_annuels:detail", args=[self.pk])

    @property
    def en_redaction(self) -> bool:
        """The direction writes its analysis until it sends the bilan."""
        return self.etat == EtatBilanAnnuel.BROUILLON

    @transition(
        field=etat,
        source=EtatBilanAnnuel.BROUILLON,
        target=EtatBilanAnnuel.TRANSMIS,
        permission=peut_rediger_le_bilan_annuel,
    )
    def transmettre(self, *, par, le, motif=""):
        self.transmis_le = le
        self.transmis_par = par


class ImportParcours(models.Model):
    """One import of parcours history (docs/contrats.md §2) that wrote something, or a dry run."""

    fichier = models.CharField("fichier", max_length=255)
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    par = auteur("importé par")
    le = models.DateTimeField("le", auto_now_add=True)
    essai = models.BooleanField("essai à blanc", default=False)
    lignes = models.PositiveIntegerField("lignes")
    crees = models.PositiveIntegerField("créées")
    mises_a_jour = models.PositiveIntegerField("mises à jour")
    inchangees = models.PositiveIntegerField("inchangées")

    class Meta:
        verbose_name = "import d'historique de parcours"
        verbose_name_plural = "imports d'historique de parcours"
        ordering = ["-le", "-pk"]
        permissions = [("importer_parcours", "Importer l'historique des parcours")]

    def __str__(self):
        return f"Import de {self.fichier} le {self.le:%d/%m/%Y %H:%M}"


class JournalExport(models.Model):
    """Every download of personal data: who, when, which document (an export of the Exports
    page with its filters and rows, or a document such as a bon de commande or a bilan),
    written by documents.telechargements through reporting/receivers.py."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports"
    )
    le = models.DateTimeField("le", auto_now_add=True)
    objet = models.CharField(
        "données exportées",
        max_length=20,
        choices=ObjetExport.choices + DocumentNominatif.choices,
    )
    format = models.CharField("format", max_length=10)
    document = models.CharField("document", max_length=150, blank=True)
    filtres = models.JSONField("filtres", default=dict, blank=True)
    lignes = models.PositiveIntegerField("lignes exportées", null=True, blank=True)

    class Meta:
        verbose_name = "export nominatif"
        verbose_name_plural = "journal des exports nominatifs"
        ordering = ["-le", "-pk"]
        permissions = [("exporter_donnees", "Exporter les données visibles (CSV, XLSX)")]
        indexes = [models.Index(fields=["-le"], name="journal_export_le_idx")]

    def __str__(self):
        return f"{self.utilisateur} : {self.get_objet_display()} ({self.format}) le {self.le}"
