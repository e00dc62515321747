"""Prescriptions: a conseiller's request that a demandeur enter a parcours on a lot, from its
draft through the binôme's co-signature and the commission's decision to the order, as
transitions of its state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, transition

from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from ..enums import EtatPrescription
from .demandeurs import Demandeur, today
from .referentiels import Frein, Lot, Prestataire

# A person has at most one prescription in these states at a time.
ETATS_EN_COURS = [
    EtatPrescription.BROUILLON,
    EtatPrescription.ATTENTE_COSIGNATURE,
    EtatPrescription.SOUMISE,
    EtatPrescription.INSCRITE,
    EtatPrescription.AJOURNEE,
    EtatPrescription.VALIDEE,
    EtatPrescription.COMMANDEE,
]


class PrescriptionQuerySet(models.QuerySet):
    def pour_liste(self):
        return self.select_related("demandeur", "lot", "prestataire", "conseiller")


def reference_de_prescription(pk: int) -> str:
    return f"PR-{pk:06d}"


class Prescription(DossierDeProcessus):
    """A conseiller's request that a demandeur enter a parcours on a lot (CCTP, "modalités")."""

    demandeur = models.ForeignKey(Demandeur, on_delete=models.PROTECT, related_name="prescriptions")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="prescriptions")
    prestataire = models.ForeignKey(
        Prestataire,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        help_text="Le prestataire titulaire du lot qui conduira le parcours.",
    )
    conseiller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="conseiller prescripteur",
        on_delete=models.PROTECT,
        related_name="prescriptions",
    )
    difficultes_logement = models.BooleanField(
        "difficultés de logement",
        default=False,
        help_text="Accès ou maintien dans le logement : la prescription se fait en binôme "
        "avec un travailleur social, qui la co-signe.",
    )
    travailleur_social = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="travailleur social du binôme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prescriptions_binome",
    )
    date_prescription = models.DateField("date de prescription", default=today)
    motif = models.TextField("motif de la prescription")
    freins = models.ManyToManyField(Frein, verbose_name="freins identifiés", blank=True)
    resultat_attendu = models.TextField("résultat attendu")
    accord_personne = models.BooleanField(
        "accord de la personne",
        default=False,
        help_text="La personne accepte le parcours et le partage de ses données avec le "
        "prestataire.",
    )
    date_accord = models.DateField("date de l'accord", null=True, blank=True)
    commentaire_renvoi = models.TextField(
        "commentaire du travailleur social", blank=True, editable=False
    )
    cosignee_le = models.DateTimeField("co-signée le", null=True, blank=True, editable=False)
    etat = champ_etat(EtatPrescription, EtatPrescription.BROUILLON, max_length=30)
    process = lien_processus("prescription")
    remplace = models.ForeignKey(
        "bons_de_commande.LigneCommande",
        verbose_name="en remplacement de",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="remplacants",
        help_text="Candidat proposé pour remplacer une personne qui s'est désistée : une fois "
        "validé, il rejoint le bon de commande de celle-ci par avenant.",
    )
    reference = models.CharField(  # noqa: DJ001 -- NULL only between the insert and its number
        "référence",
        max_length=50,
        unique=True,
        null=True,
        editable=False,
        help_text="Clé stable de la personne prescrite dans les fichiers échangés "
        "(docs/contrats.md) : PR-000012 pour une prescription saisie ici, celle du fichier pour "
        "une prescription importée.",
    )
    importee = models.BooleanField(
        "importée",
        default=False,
        editable=False,
        help_text="Reprise de l'historique (import d'un fichier de suivi) : sa référence est "
        "celle du fichier, qui peut être réimporté.",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "prescription"
        ordering = ["-date_prescription", "-pk"]
        permissions = [("cosign_prescription", "Co-signer une prescription en binôme")]
        constraints = [
            models.CheckConstraint(
                condition=Q(accord_personne=False) | Q(date_accord__isnull=False),
                name="prescription_accord_date",
                violation_error_message=(
                    "La date de l'accord de la personne est à indiquer dès qu'elle a donné son "
                    "accord."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["etat", "-date_prescription"], name="prescription_etat_idx"),
            # The indicators select a period's prescriptions (docs/contrats.md §3).
            models.Index(fields=["date_prescription"], name="prescription_date_idx"),
            # The lists' order (the home page's latest, the list of prescriptions): read in
            # order however many share a date.
            models.Index(fields=["-date_prescription", "-id"], name="prescription_recentes_idx"),
            models.Index(
                fields=["conseiller", "-date_prescription"], name="prescription_conseiller_idx"
            ),
            models.Index(fields=["travailleur_social", "etat"], name="prescription_ts_idx"),
        ]

    def __str__(self):
        return f"Prescription n° {self.pk} : {self.demandeur}, lot {self.lot.numero}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = reference_de_prescription(self.pk)
            Prescription.objects.filter(pk=self.pk).update(reference=self.reference)

    def get_absolute_url(self):
        return reverse("prescriptions:detail", args=[self.pk])

    @property
    def est_binome(self) -> bool:
        return self.travailleur_social_id is not None

    # Transitions. Each takes `par` (the user acting) and is journaled by workflows.history.

    def peut_etre_transmise(self) -> bool:
        return self.accord_personne

    @transition(
        field=etat,
        source=EtatPrescription.BROUILLON,
        target=RETURN_VALUE(EtatPrescription.ATTENTE_COSIGNATURE, EtatPrescription.SOUMISE),
        conditions=[peut_etre_transmise],
    )
    def transmettre(self, *, par, motif=""):
        """A binôme prescription waits for its co-signature; any other goes to the commission."""
        self.commentaire_renvoi = ""
        if self.est_binome:
            return EtatPrescription.ATTENTE_COSIGNATURE
        return EtatPrescription.SOUMISE

    @transition(
        field=etat,
        source=EtatPrescription.ATTENTE_COSIGNATURE,
        target=EtatPrescription.SOUMISE,
        permission=lambda instance, user: user.pk == instance.travailleur_social_id,
    )
    def cosigner(self, *, par, motif=""):
        self.cosignee_le = timezone.now()

    @transition(
        field=etat,
        source=EtatPrescription.ATTENTE_COSIGNATURE,
        target=EtatPrescription.BROUILLON,
        permission=lambda instance, user: user.pk == instance.travailleur_social_id,
    )
    def renvoyer(self, *, par, motif):
        self.commentaire_renvoi = motif

    @transition(
        field=etat,
        source=EtatPrescription.BROUILLON,
        target=EtatPrescription.RETIREE,
    )
    def retirer(self, *, par, motif):
        pass

    # Commission interne (CCTP, "modalités de prescription"): agenda, decision, order.

    @transition(
        field=etat,
        source=[EtatPrescription.SOUMISE, EtatPrescription.AJOURNEE],
        target=EtatPrescription.INSCRITE,
    )
    def inscrire(self, *, par, motif=""):
        pass

    @transition(field=etat, source=EtatPrescription.INSCRITE, target=EtatPrescription.SOUMISE)
    def desinscrire(self, *, par, motif=""):
        pass

    @transition(field=etat, source=EtatPrescription.INSCRITE, target=EtatPrescription.VALIDEE)
    def valider(self, *, par, motif=""):
        pass

    @transition(field=etat, source=EtatPrescription.INSCRITE, target=EtatPrescription.REFUSEE)
    def refuser(self, *, par, motif):
        pass

    @transition(field=etat, source=EtatPrescription.INSCRITE, target=EtatPrescription.AJOURNEE)
    def ajourner(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=[EtatPrescription.VALIDEE, EtatPrescription.REFUSEE, EtatPrescription.AJOURNEE],
        target=RETURN_VALUE(
            EtatPrescription.VALIDEE, EtatPrescription.REFUSEE, EtatPrescription.AJOURNEE
        ),
    )
    def corriger_decision(self, *, par, decision, motif=""):
        """The commission corrects its decision until its session is closed."""
        return decision

    @transition(field=etat, source=EtatPrescription.VALIDEE, target=EtatPrescription.COMMANDEE)
    def commander(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=[EtatPrescription.VALIDEE, EtatPrescription.COMMANDEE],
        target=EtatPrescription.DESISTEE,
    )
    def desister(self, *, par, motif):
        pass
