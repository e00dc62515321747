"""The parcours a prestataire was ordered, from its order's acknowledgement to the end of the
maintien dans l'emploi: its state machine, suspensions, plan d'action, rendez-vous, collective
modules, evaluations and maintien contacts. Its stages are in `stages.py`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_fsm import RETURN_VALUE, transition

from accounts.roles import au_perimetre_de
from procurement.enums import ClasseSortie
from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from ..enums import (
    ETATS_ACTIFS,
    ETATS_CLOS,
    Etape,
    EtatParcours,
    MomentEvaluation,
    MotifSuspension,
    NatureContact,
    NatureRendezVous,
    Niveau,
    Satisfaction,
    StatutAction,
    TypeFin,
)
from ..perms import peut_conduire


class ParcoursQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """A prestataire's users see their own organisation's parcours, never another's; its
        chargés d'insertion see those assigned to them. The DEL reads them all."""
        if user.prestataire_id:
            return au_perimetre_de(
                self.filter(prestataire_id=user.prestataire_id), user, charge="charge"
            )
        if user.has_perm("prestataires.view_parcours"):
            return self
        return self.none()

    def silencieux(self, jour, delai):
        """docs/domaine.md, "no silent parcours": running parcours whose last recorded contact (a
        rendez-vous, or the entry) is older than `delai` on `jour`."""
        return (
            self.filter(etat=EtatParcours.EN_COURS)
            .annotate(dernier_contact=Coalesce(Max("rendez_vous__date"), "date_entree"))
            .filter(dernier_contact__lt=jour - delai)
        )

    def pour_liste(self):
        return self.select_related(
            "demandeur",
            "lot",
            "prestataire",
            "charge",
            "type_sortie",
            "ligne__bon",
            "ligne__prescription__conseiller",
        )


class Parcours(DossierDeProcessus):
    """One person's parcours at the prestataire, created when the order is acknowledged."""

    ligne = models.OneToOneField(
        "bons_de_commande.LigneCommande",
        verbose_name="ligne du bon de commande",
        on_delete=models.PROTECT,
        related_name="parcours",
    )
    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="parcours"
    )
    demandeur = models.ForeignKey(
        "procurement.Demandeur", on_delete=models.PROTECT, related_name="parcours"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="+")
    duree_mois = models.PositiveSmallIntegerField("durée validée (mois)")
    etat = champ_etat(EtatParcours, EtatParcours.ATTENTE_ENTREE)
    charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chargé d'insertion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcours_suivis",
    )
    process = lien_processus("parcours", "workflows.ParcoursProcess")

    date_premier_contact = models.DateField("date du premier contact", null=True, blank=True)
    date_entree = models.DateField("date d'entrée", null=True, blank=True)
    fin_prevue = models.DateField(
        "fin prévue",
        null=True,
        blank=True,
        help_text="Dernier jour prévu : la durée validée à partir de l'entrée, reculée des "
        "jours de suspension.",
    )
    projet_professionnel = models.TextField("projet professionnel validé", blank=True)
    projet_valide_le = models.DateField("projet validé le", null=True, blank=True)

    date_sortie = models.DateField("date de sortie", null=True, blank=True)
    type_fin = models.CharField(
        "fin du parcours", max_length=20, choices=TypeFin.choices, blank=True
    )
    type_sortie = models.ForeignKey(
        "procurement.TypeSortie",
        verbose_name="situation à la sortie",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    motif_sortie = models.TextField("motif de la sortie anticipée", blank=True)
    difficultes = models.TextField("difficultés rencontrées", blank=True)
    preconisations = models.TextField("préconisations", blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "satisfaction de la personne", null=True, blank=True, choices=Satisfaction.choices
    )
    fin_maintien = models.DateField("fin du maintien dans l'emploi", null=True, blank=True)
    maintien_clos_le = models.DateField("maintien clos le", null=True, blank=True)
    # When the silence of a running parcours was last flagged to its referent (15 days) and to
    # the conseiller référent (30 days): a later contact starts a new silence.
    silence_signale_le = models.DateField(null=True, blank=True, editable=False)
    silence_escalade_le = models.DateField(null=True, blank=True, editable=False)
    # How many of the planned maintien contacts (1, 2, 3 months) were flagged as missed.
    contacts_maintien_signales = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ParcoursQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["-cree_le", "-pk"]
        permissions = [
            ("suivre_parcours", "Conduire les parcours de sa structure (prestataire)"),
            ("attribuer_parcours", "Attribuer les parcours à un chargé d'insertion"),
        ]
        indexes = [
            models.Index(
                fields=["prestataire", "etat", "-cree_le"], name="parcours_prestataire_idx"
            ),
            models.Index(fields=["etat", "-cree_le"], name="parcours_etat_idx"),
            models.Index(fields=["charge", "etat"], name="parcours_charge_idx"),
            models.Index(fields=["date_entree"], name="parcours_entree_idx"),
            # The lists' order, whole (the DEL), per prestataire and per chargé: the page's
            # LIMIT reads the index instead of sorting every parcours.
            models.Index(fields=["-cree_le", "-id"], name="parcours_recent_idx"),
            models.Index(
                fields=["prestataire", "-cree_le", "-id"], name="parcours_prest_recent_idx"
            ),
            models.Index(fields=["charge", "-cree_le", "-id"], name="parcours_charge_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_entree__isnull=True)
                | Q(date_premier_contact__isnull=True)
                | Q(date_premier_contact__lte=models.F("date_entree")),
                name="parcours_contact_avant_entree",
                violation_error_message=(
                    "Le premier contact doit précéder l'entrée en parcours (ou avoir lieu le même "
                    "jour)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True) | Q(date_entree__lte=models.F("date_sortie")),
                name="parcours_sortie_apres_entree",
                violation_error_message="La sortie du parcours précède son entrée.",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__range=(1, 5)),
                name="parcours_satisfaction_1_a_5",
                violation_error_message="La satisfaction se note de 1 à 5.",
            ),
        ]

    def __str__(self):
        return f"Parcours de {self.demandeur}, lot {self.lot.numero}"

    def get_absolute_url(self):
        return reverse("parcours:detail", args=[self.pk])

    @property
    def classe_sortie(self) -> str:
        """The CCTP class of the exit, derived from the situation at exit, never typed."""
        return self.type_sortie.classe if self.type_sortie_id else ClasseSortie.AUCUNE

    # What may be recorded on a parcours besides its state changes (the transitions below say
    # when those happen): its services check these, its page offers by them.

    @property
    def est_actif(self) -> bool:
        """Running: its plan, rendez-vous, stages and modules are recorded."""
        return self.etat in ETATS_ACTIFS

    @property
    def en_maintien(self) -> bool:
        """Exited into employment: the maintien's contacts are recorded."""
        return self.etat == EtatParcours.MAINTIEN

    @property
    def evaluable(self) -> bool:
        """Evaluated while it runs, and at the exit up to the end of the maintien."""
        return self.est_actif or self.en_maintien

    @property
    def est_clos(self) -> bool:
        """Ended or cancelled: no longer assigned to anyone."""
        return self.etat in ETATS_CLOS

    # The désistement of the person (bons_de_commande's signal), before the entry.
    @transition(field=etat, source=EtatParcours.ATTENTE_ENTREE, target=EtatParcours.ANNULE)
    def annuler(self, *, par, motif):
        pass

    @transition(
        field=etat,
        source=EtatParcours.ATTENTE_ENTREE,
        target=EtatParcours.EN_COURS,
        permission=peut_conduire,
    )
    def entrer(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=EtatParcours.EN_COURS,
        target=EtatParcours.SUSPENDU,
        permission=peut_conduire,
    )
    def suspendre(self, *, par, motif):
        pass

    @transition(
        field=etat,
        source=EtatParcours.SUSPENDU,
        target=EtatParcours.EN_COURS,
        permission=peut_conduire,
    )
    def reprendre(self, *, par, motif=""):
        pass

    @transition(
        field=etat,
        source=list(ETATS_ACTIFS),
        target=RETURN_VALUE(EtatParcours.MAINTIEN, EtatParcours.TERMINE),
        permission=peut_conduire,
    )
    def sortir(self, *, par, motif=""):
        """A positive exit (employment or activity) is followed up for up to 3 months."""
        return EtatParcours.MAINTIEN if self.classe_sortie else EtatParcours.TERMINE

    # Closed by the prestataire, or by the flow's timer at the end of the 3 months.
    @transition(
        field=etat,
        source=EtatParcours.MAINTIEN,
        target=EtatParcours.TERMINE,
        permission=peut_conduire,
    )
    def clore_maintien(self, *, par, motif=""):
        pass


class Suspension(models.Model):
    """A dated, reasoned pause (health, family, housing): not a rupture; its days are not paid
    and move the planned end back."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="suspensions")
    debut = models.DateField("suspendu à partir du")
    fin = models.DateField(
        "repris le", null=True, blank=True, help_text="Premier jour de reprise du parcours."
    )
    motif = models.CharField("motif", max_length=20, choices=MotifSuspension.choices)
    commentaire = models.TextField("précisions", blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "suspension"
        ordering = ["debut", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(fin__isnull=True),
                name="suspension_une_seule_ouverte",
                violation_error_message=(
                    "Ce parcours a déjà une suspension en cours : enregistrez la reprise avant "
                    "d'en ouvrir une autre."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gt=models.F("debut")),
                name="suspension_reprise_apres_debut",
                violation_error_message="La reprise doit suivre le début de la suspension.",
            ),
        ]

    def __str__(self):
        return f"Suspension du {self.debut:%d/%m/%Y}"

    @property
    def jours(self) -> int | None:
        return (self.fin - self.debut).days if self.fin else None


class ModuleCollectif(models.Model):
    """A collective module (workshop) several parcours attend, so people can enter at any
    time of the year ("entrées au fil de l'eau")."""

    prestataire = models.ForeignKey(
        "procurement.Prestataire", on_delete=models.PROTECT, related_name="modules"
    )
    intitule = models.CharField("intitulé", max_length=200)
    debut = models.DateField("début")
    fin = models.DateField("fin")
    description = models.TextField("contenu", blank=True)
    participants = models.ManyToManyField(
        Parcours, verbose_name="participants", related_name="modules", blank=True
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "module collectif"
        verbose_name_plural = "modules collectifs"
        ordering = ["-debut", "intitule"]
        indexes = [models.Index(fields=["prestataire", "-debut"], name="module_prestataire_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=models.F("debut")),
                name="module_fin_apres_debut",
                violation_error_message="La fin du module précède son début.",
            )
        ]

    def __str__(self):
        return f"{self.intitule} ({self.debut:%d/%m/%Y} – {self.fin:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("modules:detail", args=[self.pk])


class ActionPlan(models.Model):
    """A dated action of the plan d'action, in one of the three steps."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="actions")
    etape = models.PositiveSmallIntegerField("étape", choices=Etape.choices)
    intitule = models.CharField("action", max_length=250)
    echeance = models.DateField("échéance")
    statut = models.CharField(
        "statut", max_length=20, choices=StatutAction.choices, default=StatutAction.PREVUE
    )

    class Meta:
        verbose_name = "action du plan d'action"
        verbose_name_plural = "plan d'action"
        ordering = ["etape", "echeance", "pk"]

    def __str__(self):
        return self.intitule


class RendezVous(models.Model):
    """An appointment, individual or in a collective module, and the freins worked on."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="rendez_vous")
    date = models.DateField("date")
    nature = models.CharField("nature", max_length=20, choices=NatureRendezVous.choices)
    module = models.ForeignKey(
        ModuleCollectif,
        verbose_name="module collectif",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rendez_vous",
    )
    objet = models.TextField("objet et compte rendu")
    freins_travailles = models.ManyToManyField(
        "procurement.Frein", verbose_name="freins travaillés", related_name="+", blank=True
    )
    freins_leves = models.ManyToManyField(
        "procurement.Frein", verbose_name="freins levés", related_name="+", blank=True
    )
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["parcours", "-date"], name="rendezvous_parcours_idx")]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"


def _axe(libelle):
    return models.PositiveSmallIntegerField(
        libelle,
        choices=Niveau.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )


LIBELLES_DES_AXES = {
    "projet": "projet défini et plan d'action",
    "freins": "freins levés",
    "engagement": "engagement",
    "savoir_etre": "savoir-être",
}
AXES_EVALUATION = tuple(LIBELLES_DES_AXES)


class Evaluation(models.Model):
    """The four axes of progress (scale 1 to 4) at entry, during the parcours and at exit."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="evaluations")
    moment = models.CharField("moment", max_length=20, choices=MomentEvaluation.choices)
    date = models.DateField("date")
    projet = _axe(LIBELLES_DES_AXES["projet"])
    freins = _axe(LIBELLES_DES_AXES["freins"])
    engagement = _axe(LIBELLES_DES_AXES["engagement"])
    savoir_etre = _axe(LIBELLES_DES_AXES["savoir_etre"])
    commentaire = models.TextField("commentaire", blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AXES = AXES_EVALUATION

    class Meta:
        verbose_name = "évaluation"
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcours", "moment"],
                condition=Q(moment__in=[MomentEvaluation.ENTREE, MomentEvaluation.SORTIE]),
                name="evaluation_une_entree_une_sortie",
                violation_error_message=(
                    "Ce parcours a déjà son évaluation à ce moment (une seule à l'entrée, une "
                    "seule à la sortie)."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{axe}__range": (1, 4)}),
                    name=f"evaluation_{axe}_1_a_4",
                    violation_error_message=f"L'axe « {libelle} » se note de 1 à 4.",
                )
                for axe, libelle in LIBELLES_DES_AXES.items()
            ),
        ]

    def __str__(self):
        return f"Évaluation {self.get_moment_display().lower()} du {self.date:%d/%m/%Y}"


class ContactMaintien(models.Model):
    """A contact of the maintien dans l'emploi: a rendez-vous de régulation with the person,
    outside the workplace, or a contact with the employer (CCTP, step 3)."""

    parcours = models.ForeignKey(
        Parcours, on_delete=models.CASCADE, related_name="contacts_maintien"
    )
    date = models.DateField("date")
    nature = models.CharField("nature", max_length=20, choices=NatureContact.choices)
    toujours_en_emploi = models.BooleanField("toujours en emploi ou en activité", default=True)
    compte_rendu = models.TextField("compte rendu")
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "contact de maintien"
        verbose_name_plural = "contacts de maintien"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"
