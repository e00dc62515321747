"""One background job, as its user follows it on « Mes travaux »."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Etat(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ECHOUE = "echoue", "Échoué"


# What an import reports as its steps (reporting.importation.Progression), in French.
ETAPES = {
    "verification": "Vérification des lignes",
    "ecriture": "Écriture en base",
}


class TravailQuerySet(models.QuerySet):
    def de(self, user):
        """A user's own jobs: nobody else sees them, nor their files."""
        return self.filter(par=user)

    def sans_contenus(self):
        """Without the files' bytes: a list reads what it shows, not megabytes."""
        return self.defer("fichier", "resultat")


class Travail(models.Model):
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="travaux"
    )
    libelle = models.CharField("travail", max_length=255)
    # The function run (a dotted path to a function marked @travail_de_fond), and what it reads.
    fonction = models.CharField(max_length=255)
    parametres = models.JSONField(default=dict, blank=True)
    # The permission the user needs to read the job and its result (checked again later:
    # someone who lost it no longer downloads what they prepared before).
    permission = models.CharField(max_length=100, blank=True)
    # The template that shows the job's report on its page (an import's preview), if any.
    gabarit = models.CharField(max_length=255, blank=True)
    etat = models.CharField(max_length=20, choices=Etat.choices, default=Etat.EN_ATTENTE)
    etape = models.CharField(max_length=50, blank=True)
    faites = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField("message d'échec", blank=True)
    # The file the job reads (an import's), kept here rather than on a server's disk.
    fichier_nom = models.CharField(max_length=255, blank=True)
    fichier = models.BinaryField(null=True, blank=True)
    # Its result: a file to download, and/or a report (JSON) its page shows.
    resultat_nom = models.CharField(max_length=255, blank=True)
    resultat = models.BinaryField(null=True, blank=True)
    rapport = models.JSONField(null=True, blank=True)
    # The job this one follows up (the check an import confirms).
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="suites"
    )
    tache_id = models.CharField("identifiant de la tâche", max_length=64, blank=True)
    cree_le = models.DateTimeField("demandé le", default=timezone.now)
    debute_le = models.DateTimeField("commencé le", null=True, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    objects = TravailQuerySet.as_manager()

    class Meta:
        verbose_name = "travail en arrière-plan"
        verbose_name_plural = "travaux en arrière-plan"
        ordering = ["-cree_le", "-pk"]
        indexes = [models.Index(fields=["par", "-cree_le"], name="travail_par_date")]

    def __str__(self):
        return self.libelle

    def get_absolute_url(self):
        return reverse("travaux:detail", args=[self.pk])

    @property
    def fini(self) -> bool:
        return self.etat in (Etat.TERMINE, Etat.ECHOUE)

    @property
    def libelle_etape(self) -> str:
        return ETAPES.get(self.etape, self.etape)

    @property
    def pourcentage(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.faites * 100 // self.total)
