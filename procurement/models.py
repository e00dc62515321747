"""The demand side: référentiels of the public contract, demandeurs d'emploi, prescriptions."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, transition

from workflows.models import DossierDeProcessus, champ_etat, lien_processus

from .enums import ClasseSortie, Decision, EtatPrescription, EtatSession, Genre, SituationLogement
from .text import normalise

# --- Référentiels -------------------------------------------------------------------------


class CodeLibelle(models.Model):
    """A reference list entry: a stable code (CONTRACTS.md §0) and a label free to change."""

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre d'affichage", default=0)

    class Meta:
        abstract = True
        ordering = ["ordre", "libelle"]

    def __str__(self):
        return self.libelle


class Frein(CodeLibelle):
    """A frein à l'emploi; the same list gives the motifs de refus of the commission."""

    sensible = models.BooleanField(
        "donnée sensible",
        default=False,
        help_text="Santé, handicap, addictions, justice : jamais sur un document destiné à "
        "une entreprise d'accueil ou un employeur.",
    )

    class Meta(CodeLibelle.Meta):
        verbose_name = "frein à l'emploi"
        verbose_name_plural = "freins à l'emploi (et motifs de refus)"


class NiveauFormation(CodeLibelle):
    class Meta(CodeLibelle.Meta):
        verbose_name = "niveau de formation"
        verbose_name_plural = "niveaux de formation"


class CommuneManager(models.Manager):
    def resolve(self, text: str):
        """The commune whose code or name matches `text`, case and accents ignored, or None."""
        key = normalise(text)
        if not key:
            return None
        for commune in self.all():
            if key in (normalise(commune.code), normalise(commune.libelle)):
                return commune
        return None


class Commune(CodeLibelle):
    objects = CommuneManager()

    class Meta(CodeLibelle.Meta):
        verbose_name = "commune"
        verbose_name_plural = "communes de la province Sud"


class TypeSortie(CodeLibelle):
    classe = models.CharField(
        "classe", max_length=2, choices=ClasseSortie.choices, blank=True, default=""
    )

    class Meta(CodeLibelle.Meta):
        verbose_name = "type de sortie"
        verbose_name_plural = "types de sortie"


class Lot(models.Model):
    """One of the two lots of the public contract, with its duration rule (CCTP)."""

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    libelle = models.CharField("libellé", max_length=200)
    public = models.TextField("public visé", blank=True)
    duree_min_mois = models.PositiveSmallIntegerField("durée minimale (mois)")
    duree_max_mois = models.PositiveSmallIntegerField("durée maximale (mois)")
    duree_defaut_mois = models.PositiveSmallIntegerField(
        "durée par défaut (mois)", help_text="Durée moyenne proposée à la commission."
    )
    reconnaissance_crhd_requise = models.BooleanField(
        "réservé aux personnes reconnues par la CRHD", default=False
    )

    class Meta:
        verbose_name = "lot"
        ordering = ["numero"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duree_min_mois__gte=1)
                & Q(duree_min_mois__lte=models.F("duree_defaut_mois"))
                & Q(duree_defaut_mois__lte=models.F("duree_max_mois")),
                name="lot_durees_ordonnees",
            )
        ]

    def __str__(self):
        return f"Lot {self.numero} : {self.libelle}"


class Prestataire(models.Model):
    code = models.CharField(
        "code",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9_]+$", "Majuscules, chiffres et « _ » seulement.")],
    )
    raison_sociale = models.CharField("raison sociale", max_length=200)
    ridet = models.CharField("RIDET", max_length=20, blank=True)
    adresse = models.TextField("adresse", blank=True)
    email = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "prestataire"
        ordering = ["code"]

    def __str__(self):
        return f"{self.raison_sociale} ({self.code})"


class AttributionQuerySet(models.QuerySet):
    def en_vigueur(self, jour: date):
        return self.filter(Q(date_fin__isnull=True) | Q(date_fin__gte=jour), date_debut__lte=jour)


class AttributionLot(models.Model):
    """A prestataire holds a lot of the contract for a period, with a yearly volume."""

    prestataire = models.ForeignKey(
        Prestataire, on_delete=models.PROTECT, related_name="attributions"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="attributions")
    reference_marche = models.CharField("référence du marché", max_length=100)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    volume_annuel_min = models.PositiveSmallIntegerField("volume annuel minimal (personnes)")
    volume_annuel_max = models.PositiveSmallIntegerField("volume annuel maximal (personnes)")

    objects = AttributionQuerySet.as_manager()

    class Meta:
        verbose_name = "attribution d'un lot"
        verbose_name_plural = "attributions des lots"
        ordering = ["lot__numero", "prestataire__code", "-date_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="attribution_periode_ordonnee",
            ),
            models.CheckConstraint(
                condition=Q(volume_annuel_min__lte=models.F("volume_annuel_max")),
                name="attribution_volume_ordonne",
            ),
        ]

    def __str__(self):
        fin = f" au {self.date_fin:%d/%m/%Y}" if self.date_fin else ""
        return f"{self.prestataire.code}, lot {self.lot.numero}, du {self.date_debut:%d/%m/%Y}{fin}"


class TauxSMGQuerySet(models.QuerySet):
    def en_vigueur(self, jour: date) -> "TauxSMG":
        """The SMG rate in force on `jour`: the latest one whose start is on or before it."""
        taux = self.filter(date_effet__lte=jour).order_by("-date_effet").first()
        if taux is None:
            raise TauxSMG.DoesNotExist(f"Aucun taux de SMG en vigueur le {jour:%d/%m/%Y}.")
        return taux


class TauxSMG(models.Model):
    """The salaire minimum garanti, set by arrêté, always from the first day of a month."""

    HEURES_MENSUELLES = 169

    date_effet = models.DateField("en vigueur à partir du", unique=True)
    taux_horaire = models.DecimalField(
        "taux horaire (F CFP)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    arrete = models.CharField("arrêté", max_length=200)

    objects = TauxSMGQuerySet.as_manager()

    class Meta:
        verbose_name = "taux du SMG"
        verbose_name_plural = "taux du SMG"
        ordering = ["-date_effet"]

    def __str__(self):
        return f"SMG au {self.date_effet:%d/%m/%Y} : {self.taux_horaire} F/h"

    def clean(self):
        if self.date_effet and self.date_effet.day != 1:
            raise ValidationError(
                {"date_effet": "Un taux du SMG entre en vigueur le premier jour d'un mois."}
            )

    @property
    def montant_mensuel(self) -> int:
        """Monthly SMG: hourly rate × 169 h, rounded half up to the franc."""
        return int((self.taux_horaire * self.HEURES_MENSUELLES).quantize(Decimal(1), ROUND_HALF_UP))


def smg_en_vigueur(jour: date) -> TauxSMG:
    """The SMG rate in force on day `jour` (New Caledonia date)."""
    return TauxSMG.objects.en_vigueur(jour)


# --- Demandeurs d'emploi ------------------------------------------------------------------

AGE_MINIMUM = 16


def today() -> date:
    """Today in Pacific/Noumea, whatever the server's clock zone."""
    return timezone.localdate()


def age_le(date_naissance: date, jour: date) -> int:
    return (
        jour.year
        - date_naissance.year
        - ((jour.month, jour.day) < (date_naissance.month, date_naissance.day))
    )


def cle_doublon(nom: str, prenom: str) -> str:
    return f"{normalise(nom)}|{normalise(prenom)}"


class Demandeur(models.Model):
    """A demandeur d'emploi registered by the DEL."""

    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance")
    genre = models.CharField("genre", max_length=1, choices=Genre.choices)
    niveau_formation = models.ForeignKey(
        NiveauFormation, verbose_name="niveau de formation", on_delete=models.PROTECT
    )
    commune = models.ForeignKey(Commune, verbose_name="commune", on_delete=models.PROTECT)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    situation_logement = models.CharField(
        "situation de logement", max_length=20, choices=SituationLogement.choices
    )
    reconnaissance_crhd = models.BooleanField(
        "reconnaissance CRHD",
        default=False,
        help_text="Reconnu(e) handicapé(e) par la Commission de reconnaissance du handicap "
        "et de la dépendance : condition d'accès au lot 2.",
    )
    date_reconnaissance_crhd = models.DateField("date de la décision CRHD", null=True, blank=True)
    # Same name and date of birth is the same person: folded name, enforced by the database.
    cle_doublon = models.CharField(max_length=210, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.PROTECT,
        related_name="demandeurs_enregistres",
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "demandeur d'emploi"
        verbose_name_plural = "demandeurs d'emploi"
        ordering = ["nom", "prenom", "date_naissance"]
        constraints = [
            models.UniqueConstraint(
                fields=["cle_doublon", "date_naissance"], name="demandeur_identite_unique"
            ),
            models.CheckConstraint(
                condition=Q(reconnaissance_crhd=True) | Q(date_reconnaissance_crhd__isnull=True),
                name="demandeur_date_crhd_si_reconnu",
            ),
        ]
        indexes = [models.Index(fields=["nom", "prenom"], name="demandeur_nom_idx")]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom}"

    def save(self, *args, **kwargs):
        self.cle_doublon = cle_doublon(self.nom, self.prenom)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("demandeurs:detail", args=[self.pk])

    def doublons(self):
        """Already registered people with the same name and date of birth."""
        return Demandeur.objects.filter(
            cle_doublon=cle_doublon(self.nom, self.prenom), date_naissance=self.date_naissance
        ).exclude(pk=self.pk)

    def clean(self):
        errors = {}
        if self.date_naissance:
            jour = today()
            if self.date_naissance > jour:
                errors["date_naissance"] = "La date de naissance est dans le futur."
            elif age_le(self.date_naissance, jour) < AGE_MINIMUM:
                errors["date_naissance"] = (
                    f"Le demandeur doit avoir au moins {AGE_MINIMUM} ans "
                    f"(né(e) le {self.date_naissance:%d/%m/%Y})."
                )
        if self.date_reconnaissance_crhd and not self.reconnaissance_crhd:
            errors["date_reconnaissance_crhd"] = (
                "Une date de décision CRHD suppose la reconnaissance CRHD cochée."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def age(self) -> int:
        return age_le(self.date_naissance, today())


# --- Prescriptions ------------------------------------------------------------------------


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
        "(CONTRACTS.md) : PR-000012 pour une prescription saisie ici, celle du fichier pour "
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
            ),
        ]
        indexes = [
            models.Index(fields=["etat", "-date_prescription"], name="prescription_etat_idx"),
            # The indicators select a period's prescriptions (CONTRACTS.md §3).
            models.Index(fields=["date_prescription"], name="prescription_date_idx"),
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


# --- Commission interne --------------------------------------------------------------------

# A prescription may be put on a session's agenda from these states.
ETATS_A_EXAMINER = [EtatPrescription.SOUMISE, EtatPrescription.AJOURNEE]


class SessionCommissionQuerySet(models.QuerySet):
    def pour_liste(self):
        return (
            self.select_related("lot", "prestataire", "bon_de_commande")
            .annotate(nombre_passages=models.Count("passages"))
            .order_by("-date_seance", "-pk")
        )


class SessionCommission(DossierDeProcessus):
    """A sitting of the commission interne (SEL + prestataire) that examines prescriptions."""

    date_seance = models.DateField("date de la séance")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="sessions_commission")
    prestataire = models.ForeignKey(
        Prestataire, on_delete=models.PROTECT, related_name="sessions_commission"
    )
    membres_del = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="membres de la DEL",
        related_name="sessions_commission_del",
    )
    membres_prestataire = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="membres du prestataire",
        blank=True,
        related_name="sessions_commission_prestataire",
    )
    etat = champ_etat(EtatSession, EtatSession.PREPARATION)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ouverte par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cloturee_le = models.DateTimeField("clôturée le", null=True, blank=True, editable=False)
    proces_verbal = models.OneToOneField(
        "documents.Document",
        verbose_name="procès-verbal",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process = lien_processus("session_commission")
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = SessionCommissionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance de la commission"
        verbose_name_plural = "séances de la commission"
        ordering = ["-date_seance", "-pk"]
        permissions = [("decider_sessioncommission", "Décider en commission interne")]
        indexes = [models.Index(fields=["etat", "-date_seance"], name="session_etat_idx")]

    def __str__(self):
        return (
            f"Commission du {self.date_seance:%d/%m/%Y}, lot {self.lot.numero}, "
            f"{self.prestataire.code}"
        )

    def get_absolute_url(self):
        return reverse("seances:detail", args=[self.pk])

    @transition(field=etat, source=EtatSession.PREPARATION, target=EtatSession.EN_SEANCE)
    def ouvrir_seance(self, *, par, motif=""):
        pass

    @transition(field=etat, source=EtatSession.EN_SEANCE, target=EtatSession.CLOTUREE)
    def cloturer(self, *, par, motif=""):
        self.cloturee_le = timezone.now()


class PassageQuerySet(models.QuerySet):
    def pour_liste(self):
        return self.select_related(
            "prescription__demandeur",
            "prescription__conseiller",
            "prescription__remplace__bon",
            "motif_refus",
            "decide_par",
        ).order_by("pk")


class PassageCommission(models.Model):
    """One prescription on one session's agenda, and the commission's decision on it."""

    session = models.ForeignKey(
        SessionCommission, on_delete=models.CASCADE, related_name="passages"
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="passages"
    )
    decision = models.CharField(
        "décision", max_length=10, choices=Decision.choices, blank=True, default=""
    )
    duree_mois = models.PositiveSmallIntegerField("durée du parcours (mois)", null=True, blank=True)
    motif_refus = models.ForeignKey(
        Frein,
        verbose_name="motif du refus",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commentaire = models.TextField("commentaire", blank=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décision saisie par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decide_le = models.DateTimeField("décision saisie le", null=True, blank=True)
    inscrit_le = models.DateTimeField("inscrite le", auto_now_add=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = "passage en commission"
        verbose_name_plural = "passages en commission"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prescription"], name="passage_unique_par_session"
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.VALIDEE) | Q(duree_mois__isnull=False),
                name="passage_validee_avec_duree",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.REFUSEE) | Q(motif_refus__isnull=False),
                name="passage_refusee_avec_motif",
            ),
        ]

    def __str__(self):
        return f"{self.prescription.demandeur} ({self.get_decision_display() or 'à examiner'})"
