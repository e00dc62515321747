"""Bons de commande: the DEL's numbered, immutable orders that launch parcours, and avenants.

CCTP, "modalités de commande": after the commission, the DEL sends the prestataire a bon de
commande stating the number of beneficiaries and, for lot 1, each one's duration. Once
issued, an order is never edited; a withdrawal or a substitution is an avenant.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.roles import au_perimetre_de, suit_seulement_ses_parcours
from procurement.enums import EtatPrescription
from procurement.models import Prescription
from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from .enums import EtatAvenant, EtatBonDeCommande, EtatLigne, NatureAvenant
from .perms import est_du_prestataire, gere_les_commandes
from .signals import suivis_en_cours

# Orders an avenant may still amend.
ETATS_AMENDABLES = [EtatBonDeCommande.EMIS, EtatBonDeCommande.ACCUSE]

# The beneficiaries of an order: the people it launches (a withdrawn person stays on it until
# the avenant that takes them off), or, while it is a draft, the people it will launch. A
# substitute counts once the avenant that adds them is issued.
BENEFICIAIRES = Q(etat__in=[EtatLigne.COMMANDEE, EtatLigne.DESISTEMENT]) | Q(
    etat=EtatLigne.PREVUE, avenant_ajout__isnull=True
)


def remplacants_en_lice(prescriptions: models.QuerySet) -> models.QuerySet:
    """The substitutes (prescriptions) that hold the place of the withdrawn person they were
    proposed for: all but those the commission refused or that were withdrawn before joining
    the order; one who joined it keeps the place, even if they withdraw in turn (their own
    line is then the one to replace)."""
    return prescriptions.filter(
        Q(ligne_commande__isnull=False)
        | ~Q(
            etat__in=[
                EtatPrescription.REFUSEE,
                EtatPrescription.RETIREE,
                EtatPrescription.DESISTEE,
            ]
        )
    )


class CompteurAnnuel(models.Model):
    """The last order number issued in a year: locked and incremented in the issuing
    transaction, so numbers are gapless and never reused, however many issue at once."""

    annee = models.PositiveSmallIntegerField("année", primary_key=True)
    dernier = models.PositiveIntegerField("dernier numéro émis", default=0)

    class Meta:
        verbose_name = "compteur de bons de commande"

    def __str__(self):
        return f"{self.annee} : {self.dernier}"


def compte(lignes: models.QuerySet, champ: str) -> Coalesce:
    """The number of `lignes` (a queryset filtered on an OuterRef), as a scalar subquery
    grouped on `champ`, the column that refers to the outer row: 0 when there are none."""
    sous_requete = lignes.order_by().values(champ).annotate(nombre=models.Count("pk"))
    return Coalesce(models.Subquery(sous_requete.values("nombre")), 0)


class BonDeCommandeQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """A prestataire's users see their own organisation's orders, never another's; its
        chargés d'insertion only those that hold a person they follow."""
        if user.prestataire_id:
            bons = self.filter(prestataire_id=user.prestataire_id).exclude(
                etat=EtatBonDeCommande.BROUILLON
            )
            if suit_seulement_ses_parcours(user):
                bons = bons.filter(
                    pk__in=LigneCommande.objects.au_perimetre_de(user).values("bon_id")
                )
            return bons
        if user.has_perm("bons_de_commande.view_bondecommande"):
            return self
        return self.none()

    def pour_liste(self, user):
        """With the number of beneficiaries `user` sees on each order (a chargé d'insertion:
        the people he follows).

        Counted by a subquery per order, not by a `Count` over a join: the database counts
        only the rows the page shows (after its LIMIT), and the paginator's COUNT leaves the
        unused subquery out instead of grouping every order first."""
        lignes = LigneCommande.objects.au_perimetre_de(user).filter(
            BENEFICIAIRES, bon=models.OuterRef("pk")
        )
        return self.select_related("lot", "prestataire", "session").annotate(
            beneficiaires=compte(lignes, "bon")
        )


class DocumentEmis(models.Model):
    """What an order and an avenant share: the DEL issues it (its PDF is archived), the
    prestataire acknowledges its receipt."""

    emis_le = models.DateTimeField("émis le", null=True, editable=False)
    emis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    accuse_le = models.DateTimeField("réception accusée le", null=True, editable=False)
    accuse_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        "documents.Document", null=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class BonDeCommande(ConcurrentTransitionMixin, DocumentEmis):
    session = models.OneToOneField(
        "procurement.SessionCommission",
        verbose_name="séance de la commission",
        on_delete=models.PROTECT,
        related_name="bon_de_commande",
    )
    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="bons_de_commande"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    attribution = models.ForeignKey(
        "procurement.AttributionLot",
        verbose_name="marché",
        on_delete=models.PROTECT,
        related_name="bons_de_commande",
    )
    # NULL until issued: drafts have no number, and NULLs never collide in the unique index.
    numero = models.CharField(  # noqa: DJ001
        "numéro", max_length=50, unique=True, null=True, editable=False
    )
    importe = models.BooleanField(
        "importé",
        default=False,
        editable=False,
        help_text="Session reprise de l'historique : son numéro est la référence de session "
        "du fichier importé, hors de la numérotation BC-année-rang.",
    )
    annee = models.PositiveSmallIntegerField("année", null=True, editable=False)
    sequence = models.PositiveIntegerField("rang dans l'année", null=True, editable=False)
    etat = FSMField(
        "état",
        max_length=20,
        choices=EtatBonDeCommande.choices,
        default=EtatBonDeCommande.BROUILLON,
        protected=True,
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = BonDeCommandeQuerySet.as_manager()

    class Meta:
        verbose_name = "bon de commande"
        verbose_name_plural = "bons de commande"
        ordering = ["-cree_le", "-pk"]
        permissions = [
            ("emettre_bondecommande", "Émettre bons de commande et avenants"),
            ("accuser_bondecommande", "Accuser réception des bons de commande"),
            ("desister_lignecommande", "Enregistrer un désistement"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["annee", "sequence"],
                name="bon_numero_annuel_unique",
                violation_error_message=(
                    "Ce numéro de bon de commande est déjà attribué cette année."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["prestataire", "-cree_le"], name="bon_prestataire_idx"),
            models.Index(fields=["etat", "-cree_le"], name="bon_etat_idx"),
            # The list's order, every prestataire's orders together.
            models.Index(fields=["-cree_le", "-id"], name="bon_cree_idx"),
        ]

    def __str__(self):
        return self.numero or f"Bon de commande en préparation ({self.session})"

    def get_absolute_url(self):
        return reverse("commandes:detail", args=[self.pk])

    @property
    def nom_fichier(self):
        return f"{self.numero}.pdf"

    @property
    def amendable(self) -> bool:
        """Issued and not closed: a withdrawal or a substitution amends it by avenant."""
        return self.etat in ETATS_AMENDABLES

    def parcours_restants(self) -> int:
        """People still owed something on the order: a line waiting for its avenant (a
        withdrawal to take off, a substitute to acknowledge), or a parcours not ended (counted
        by prestataires, which answers suivis_en_cours)."""
        en_attente = self.lignes.filter(etat__in=[EtatLigne.PREVUE, EtatLigne.DESISTEMENT]).count()
        suivis = suivis_en_cours.send(sender=BonDeCommande, bon=self)
        return en_attente + sum(nombre for _, nombre in suivis)

    def sans_parcours_restants(self) -> bool:
        return self.parcours_restants() == 0

    def remplacants_attendus(self) -> models.QuerySet:
        """The substitutes in the place of its withdrawn people who have not started yet:
        proposed, before the commission, or on an avenant not acknowledged (once it is, their
        parcours counts among parcours_restants)."""
        return remplacants_en_lice(Prescription.objects.filter(remplace__bon=self)).filter(
            Q(ligne_commande__isnull=True)
            | Q(ligne_commande__avenant_ajout__accuse_le__isnull=True)
        )

    def sans_remplacant_attendu(self) -> bool:
        return not self.remplacants_attendus().exists()

    @transition(
        field=etat,
        source=EtatBonDeCommande.BROUILLON,
        target=EtatBonDeCommande.EMIS,
        permission=gere_les_commandes,
    )
    def emettre(self, *, par, annee, sequence, motif=""):
        self.annee, self.sequence = annee, sequence
        self.numero = f"BC-{annee}-{sequence:04d}"
        self.emis_le = timezone.now()
        self.emis_par = par

    @transition(
        field=etat,
        source=EtatBonDeCommande.BROUILLON,
        target=EtatBonDeCommande.ANNULE,
        permission=gere_les_commandes,
    )
    def annuler(self, *, par, motif):
        pass

    @transition(
        field=etat,
        source=EtatBonDeCommande.EMIS,
        target=EtatBonDeCommande.ACCUSE,
        permission=est_du_prestataire,
    )
    def accuser_reception(self, *, par, motif=""):
        self.accuse_le = timezone.now()
        self.accuse_par = par

    # Once every parcours it launched has ended, and no substitute is still to join it.
    @transition(
        field=etat,
        source=EtatBonDeCommande.ACCUSE,
        target=EtatBonDeCommande.CLOTURE,
        conditions=[sans_parcours_restants, sans_remplacant_attendu],
        permission=gere_les_commandes,
    )
    def cloturer(self, *, par, motif=""):
        pass


class LigneQuerySet(models.QuerySet):
    def au_perimetre_de(self, user):
        """The lines a chargé d'insertion may see and act on: those of the people he follows
        (their parcours is assigned to him). Everyone else: unchanged (the order's visibility
        is checked on the order)."""
        return au_perimetre_de(self, user, charge="parcours__charge")

    def pour_liste(self):
        return self.select_related(
            "prescription__demandeur",
            "prescription__conseiller",
            "avenant_ajout",
            "avenant_retrait",
            "parcours",
        ).order_by("prescription__demandeur__nom", "prescription__demandeur__prenom", "pk")


class LigneCommande(ConcurrentTransitionMixin, models.Model):
    """One beneficiary of an order: the person, and for lot 1 the duration set in commission."""

    bon = models.ForeignKey(BonDeCommande, on_delete=models.PROTECT, related_name="lignes")
    prescription = models.OneToOneField(
        "procurement.Prescription", on_delete=models.PROTECT, related_name="ligne_commande"
    )
    duree_mois = models.PositiveSmallIntegerField("durée du parcours (mois)")
    etat = FSMField(
        "état",
        max_length=20,
        choices=EtatLigne.choices,
        default=EtatLigne.PREVUE,
        protected=True,
    )
    avenant_ajout = models.ForeignKey(
        "Avenant", null=True, blank=True, on_delete=models.PROTECT, related_name="lignes_ajoutees"
    )
    avenant_retrait = models.ForeignKey(
        "Avenant", null=True, blank=True, on_delete=models.PROTECT, related_name="lignes_retirees"
    )
    motif_desistement = models.TextField("motif du désistement", blank=True)
    desiste_le = models.DateTimeField("désistement enregistré le", null=True, blank=True)
    desiste_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposition_prestataire = models.TextField(
        "candidat proposé par le prestataire",
        blank=True,
        help_text="Le prestataire peut proposer un remplaçant ; la DEL le prescrit et le "
        "soumet à la commission.",
    )

    objects = LigneQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne de bon de commande"
        verbose_name_plural = "lignes de bon de commande"

    def __str__(self):
        return f"{self.prescription.demandeur} ({self.duree_mois} mois)"

    @property
    def prestataire_id(self):
        return self.bon.prestataire_id

    def date_de_commande(self):
        """The day the prestataire acknowledged the order, or the avenant, that holds this
        person: no parcours starts before it."""
        document = self.avenant_ajout or self.bon
        return timezone.localdate(document.accuse_le) if document.accuse_le else None

    def bon_amendable(self) -> bool:
        return self.bon.amendable

    @property
    def beneficiaire(self) -> bool:
        """Counted among the order's beneficiaries (BENEFICIAIRES, in Python)."""
        if self.etat == EtatLigne.PREVUE:
            return self.avenant_ajout_id is None
        return self.etat in (EtatLigne.COMMANDEE, EtatLigne.DESISTEMENT)

    @property
    def remplacable(self) -> bool:
        """The person withdrew: a substitute may be proposed for their place."""
        return self.etat in (EtatLigne.DESISTEMENT, EtatLigne.RETIREE)

    @transition(field=etat, source=EtatLigne.PREVUE, target=EtatLigne.COMMANDEE)
    def commander(self, *, par, motif=""):
        pass

    # The withdrawal is taken off the order by an avenant: the order must still be amendable.
    @transition(
        field=etat,
        source=EtatLigne.COMMANDEE,
        target=EtatLigne.DESISTEMENT,
        conditions=[bon_amendable],
        permission="bons_de_commande.desister_lignecommande",
    )
    def desister(self, *, par, motif):
        self.motif_desistement = motif
        self.desiste_le = timezone.now()
        self.desiste_par = par

    @transition(field=etat, source=EtatLigne.DESISTEMENT, target=EtatLigne.RETIREE)
    def retirer(self, *, par, motif=""):
        pass


class Avenant(DossierDeProcessus, DocumentEmis):
    """An amendment of an issued order: a withdrawn person leaves it, a substitute joins it."""

    bon = models.ForeignKey(BonDeCommande, on_delete=models.PROTECT, related_name="avenants")
    nature = models.CharField("nature", max_length=10, choices=NatureAvenant.choices)
    rang = models.PositiveSmallIntegerField("rang", null=True, editable=False)
    numero = models.CharField(  # noqa: DJ001 -- NULL until issued, as for the order
        "numéro", max_length=30, unique=True, null=True, editable=False
    )
    etat = champ_etat(EtatAvenant, EtatAvenant.BROUILLON)
    motif = models.TextField("motif")
    process = lien_processus("avenant")

    class Meta:
        verbose_name = "avenant"
        ordering = ["bon", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bon", "rang"],
                name="avenant_rang_unique",
                violation_error_message="Ce bon de commande a déjà un avenant de ce rang.",
            ),
        ]

    def __str__(self):
        return self.numero or f"Avenant à émettre ({self.get_nature_display().lower()})"

    def get_absolute_url(self):
        return self.bon.get_absolute_url() + f"#avenant-{self.pk}"

    @property
    def prestataire_id(self):
        return self.bon.prestataire_id

    @property
    def nom_fichier(self):
        return f"{self.numero}.pdf"

    @transition(
        field=etat,
        source=EtatAvenant.BROUILLON,
        target=EtatAvenant.EMIS,
        permission=gere_les_commandes,
    )
    def emettre(self, *, par, rang, motif=""):
        self.rang = rang
        self.numero = f"{self.bon.numero}-A{rang}"
        self.emis_le = timezone.now()
        self.emis_par = par

    @transition(
        field=etat,
        source=EtatAvenant.EMIS,
        target=EtatAvenant.ACCUSE,
        permission=est_du_prestataire,
    )
    def accuser_reception(self, *, par, motif=""):
        self.accuse_le = timezone.now()
        self.accuse_par = par
