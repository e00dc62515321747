"""Starting a job and running it: `lancer()` records the job and queues the one django-tasks
task, `executer`, which a worker (`manage.py db_worker`) runs: it calls the job's function with
a `Progression` and records how it ended.

A job's function is marked `@travail_de_fond` and takes the job and its progression callback:
it reads `travail.parametres` and `travail.fichier`, sets `travail.resultat` (and
`resultat_nom`) and/or `travail.rapport`, and raises `EchecDuTravail` with a French message
when it cannot do what was asked (what it wrote must then be rolled back by its own
transaction). Any other exception is logged with its traceback and shown to the user as an
unexpected error."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import Etat, Travail
from .receivers import MESSAGE_INATTENDU

logger = logging.getLogger(__name__)

# The connection progress is written through (config/settings/base.py), if configured.
ALIAS_PROGRESSION = "progression"
# Progress is written at most this often (seconds), and at every change of step.
INTERVALLE_PROGRESSION = 0.5


class EchecDuTravail(Exception):
    """The job cannot be done, for a reason its user can act on: the French message says it."""


# Laying out a line costs WeasyPrint about 9 ms (2.7 s for an état of 300 lines), writing it
# in a workbook 0.2 ms: a PDF goes to a job at this fraction of the rows (200 lines, about 2 s
# and 7 pages, with the default 2 000), a workbook or a CSV at the threshold itself.
FRACTION_PDF = 10


def lignes_immediates(format_: str) -> int:
    """The most rows a file of this format is written with inside the request
    (settings.TRAVAUX_LIGNES_IMMEDIATES); beyond, a background job writes it."""
    if format_ == "pdf":
        return settings.TRAVAUX_LIGNES_IMMEDIATES // FRACTION_PDF
    return settings.TRAVAUX_LIGNES_IMMEDIATES


def travail_de_fond(fonction: Callable) -> Callable:
    """Marks a function that a job may run (`executer` runs nothing else)."""
    fonction.travail_de_fond = True
    return fonction


def chemin(fonction: Callable) -> str:
    return f"{fonction.__module__}.{fonction.__qualname__}"


def lancer(
    par,
    fonction: Callable,
    libelle: str,
    *,
    parametres: dict | None = None,
    permission: str = "",
    gabarit: str = "",
    fichier_nom: str = "",
    fichier: bytes | None = None,
    source: Travail | None = None,
) -> Travail:
    """Records a job for `par` and queues it, both or neither (one transaction: the database
    queue is in the same database), so that no job waits for a task that was never queued."""
    if not getattr(fonction, "travail_de_fond", False):
        raise ValueError(f"{chemin(fonction)} n'est pas marquée @travail_de_fond.")
    with transaction.atomic():
        travail = _mettre_en_file(
            par,
            fonction,
            libelle,
            parametres=parametres,
            permission=permission,
            gabarit=gabarit,
            fichier_nom=fichier_nom,
            fichier=fichier,
            source=source,
        )
    travail.refresh_from_db(fields=["tache_id", "etat"])
    return travail


def _mettre_en_file(
    par, fonction, libelle, *, parametres, permission, gabarit, fichier_nom, fichier, source
) -> Travail:
    travail = Travail.objects.create(
        par=par,
        libelle=libelle[:255],
        fonction=chemin(fonction),
        parametres=parametres or {},
        permission=permission,
        gabarit=gabarit,
        fichier_nom=fichier_nom[:255],
        fichier=fichier,
        source=source,
    )
    resultat = executer.enqueue(travail.pk)
    # Only this field: an immediate backend has already run the job and recorded its end.
    Travail.objects.filter(pk=travail.pk).update(tache_id=str(resultat.id))
    return travail


class Progression:
    """The callback a job's function reports its progress to: (step, rows done, rows in all).

    Written through its own connection when there is one ("progression"), in its own
    autocommitted statement, so that the page sees it while the job's transaction is open;
    at most every INTERVALLE_PROGRESSION seconds, and at every new step. A progress that cannot
    be written (SQLite locked by the import itself) is skipped: it is only a display."""

    def __init__(self, travail: Travail):
        self.travail = travail
        self.alias = ALIAS_PROGRESSION if ALIAS_PROGRESSION in connections else "default"
        self.derniere_etape = None
        self.dernier_ecrit = 0.0

    def __call__(self, etape: str, faites: int, total: int) -> None:
        maintenant = time.monotonic()
        fin_d_etape = faites >= total
        if (
            etape == self.derniere_etape
            and not fin_d_etape
            and maintenant - self.dernier_ecrit < INTERVALLE_PROGRESSION
        ):
            return
        self.travail.etape, self.travail.faites, self.travail.total = etape, faites, total
        try:
            Travail.objects.using(self.alias).filter(pk=self.travail.pk).update(
                etape=etape, faites=faites, total=total
            )
        except DatabaseError:
            logger.info("Progression du travail %s non écrite (base occupée).", self.travail.pk)
            if self.alias != "default":
                connections[self.alias].close()
            return
        self.derniere_etape, self.dernier_ecrit = etape, maintenant


def _fonction(travail: Travail) -> Callable:
    fonction = import_string(travail.fonction)
    if not getattr(fonction, "travail_de_fond", False):
        raise ValueError(f"{travail.fonction} n'est pas marquée @travail_de_fond.")
    return fonction


def _finir(travail: Travail, etat: str, message: str = "") -> None:
    """Records the job's end; a failed job, or one whose function let go of its file (set
    `travail.fichier` to None), no longer keeps the file it read."""
    travail.etat, travail.message, travail.termine_le = etat, message, timezone.now()
    champs = ["etat", "message", "termine_le"]
    if etat == Etat.TERMINE:
        champs += ["resultat_nom", "resultat", "rapport", "etape", "faites", "total"]
    else:
        travail.fichier = None
    if travail.fichier is None:
        champs.append("fichier")
    travail.save(update_fields=champs)


@task()
def executer(travail_id: int) -> str:
    """Runs job `travail_id` once (a job already started or ended is left alone) and returns
    its final state."""
    with transaction.atomic():
        travail = (
            Travail.objects.select_for_update().filter(pk=travail_id, etat=Etat.EN_ATTENTE).first()
        )
        if travail is None:
            return "ignore"
        travail.etat, travail.debute_le = Etat.EN_COURS, timezone.now()
        travail.save(update_fields=["etat", "debute_le"])
    try:
        _fonction(travail)(travail, Progression(travail))
    except EchecDuTravail as echec:
        _finir(travail, Etat.ECHOUE, str(echec))
        return travail.etat
    except Exception:
        logger.exception("Le travail %s (%s) a échoué.", travail.pk, travail.fonction)
        _finir(travail, Etat.ECHOUE, MESSAGE_INATTENDU)
        raise
    _finir(travail, Etat.TERMINE)
    return travail.etat
